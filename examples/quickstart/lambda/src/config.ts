/**
 * The Lambda functions' configuration, read from their environment (set by `template.yaml` or the
 * CDK stack; the AWS_* variables by the Lambda runtime). No secret lives here: only where to fetch it.
 */
import type { OAuthConfig } from "@portico/example-quickstart/auth";
import { type LogLevelOption, parseLevel } from "@portico/observe";

export type Env = Readonly<Record<string, string | undefined>>;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The CloudWatch namespace of the functions' Embedded Metric Format metrics. */
export const METRICS_NAMESPACE = "PorticoQuickstart";

export interface LambdaConfig {
  /** The DynamoDB table of the legacy-era stores and the bus (`TABLE_NAME`). */
  tableName: string;
  /** The Secrets Manager secret whose value seals MRTR `requestState` (`SECRET_ARN`). */
  secretArn: string;
  /** `AWS_REGION`, set by the Lambda runtime. */
  region: string;
  /** The execution role's credentials, set by the Lambda runtime. */
  credentials: AwsCredentials;
  /** Secrets Manager endpoint override (`AWS_ENDPOINT_URL_SECRETS_MANAGER`, as in the AWS SDKs); for local runs. */
  secretsManagerEndpoint?: string;
  /** DynamoDB endpoint override (`AWS_ENDPOINT_URL_DYNAMODB`); for local runs against DynamoDB Local. */
  dynamoDbEndpoint?: string;
  /**
   * `ALLOWED_HOSTS` (comma-separated): `Host` names to accept besides the ones the event names.
   * Default none: the Function URL's and the HTTP API's own domains (and a custom domain mapped to
   * the API) arrive as `requestContext.domainName`, which the adapter passes on as routed hosts.
   * Set it for a name the event does not carry, e.g. behind an ALB or a proxy with its own domain.
   */
  allowedHosts: string[];
  /** `ALLOWED_ORIGINS` (comma-separated). Default none: only same-origin and localhost browser origins. */
  allowedOrigins: string[];
  /** `service` on every log line and the metrics' `Service` dimension: `AWS_LAMBDA_FUNCTION_NAME`. */
  service: string;
  /** `LOG_LEVEL`: the lowest level written (`debug`, `info`, `warn`, `error`, `silent`). Default `info`. */
  logLevel: LogLevelOption;
  /**
   * `METRICS`: `on` (default) writes CloudWatch EMF documents beside the log lines, `off` none. EMF
   * metrics are CloudWatch custom metrics, billed per metric for each hour they are sent.
   */
  metrics: boolean;
  /**
   * OAuth (see auth.ts), present when `OAUTH_ISSUER` is set: then `MCP_RESOURCE` is required too
   * (the endpoint clients use, e.g. `https://<url-id>.lambda-url.<region>.on.aws/mcp`), and
   * `OAUTH_JWKS_URL` is optional. Empty values count as unset (the templates' parameter defaults).
   */
  oauth?: OAuthConfig;
}

function list(value: string | undefined, fallback: string[]): string[] {
  if (value === undefined || value.trim() === "") return fallback;
  return value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

/** `LOG_LEVEL`'s value (`parseLevel`: any case, trimmed; empty or unset: `info`); throws naming the accepted ones. */
export function logLevel(value: string | undefined): LogLevelOption {
  try {
    return parseLevel(value) ?? "info";
  } catch (error) {
    throw new Error(`LOG_LEVEL: ${(error as Error).message}`);
  }
}

/** `METRICS`'s value: `on` (or unset, or empty) or `off`, in any case; throws on anything else. */
function metricsOn(value: string | undefined): boolean {
  const setting = value?.trim().toLowerCase() || "on";
  if (setting !== "on" && setting !== "off") {
    throw new Error(`METRICS must be "on" or "off", not ${JSON.stringify(value)}`);
  }
  return setting === "on";
}

/** Reads and checks the configuration; throws one error naming every missing variable. */
export function readConfig(env: Env): LambdaConfig {
  const required = ["TABLE_NAME", "SECRET_ARN", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
  if (env.OAUTH_ISSUER) required.push("MCP_RESOURCE");
  const missing = required.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `Missing environment variable(s): ${missing.join(", ")}. TABLE_NAME and SECRET_ARN come from ` +
        "template.yaml or the CDK stack; the AWS_* ones from the Lambda runtime." +
        (missing.includes("MCP_RESOURCE")
          ? " MCP_RESOURCE (the MCP endpoint's URL, parameter McpResource) is required with OAUTH_ISSUER."
          : ""),
    );
  }
  const credentials: AwsCredentials = {
    accessKeyId: env.AWS_ACCESS_KEY_ID as string,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
  };
  if (env.AWS_SESSION_TOKEN) credentials.sessionToken = env.AWS_SESSION_TOKEN;
  const config: LambdaConfig = {
    tableName: env.TABLE_NAME as string,
    secretArn: env.SECRET_ARN as string,
    region: env.AWS_REGION as string,
    credentials,
    allowedHosts: list(env.ALLOWED_HOSTS, []),
    allowedOrigins: list(env.ALLOWED_ORIGINS, []),
    service: env.AWS_LAMBDA_FUNCTION_NAME || "portico-quickstart",
    logLevel: logLevel(env.LOG_LEVEL),
    metrics: metricsOn(env.METRICS),
  };
  const secretsManager = env.AWS_ENDPOINT_URL_SECRETS_MANAGER || env.AWS_ENDPOINT_URL;
  if (secretsManager) config.secretsManagerEndpoint = secretsManager;
  const dynamoDb = env.AWS_ENDPOINT_URL_DYNAMODB || env.AWS_ENDPOINT_URL;
  if (dynamoDb) config.dynamoDbEndpoint = dynamoDb;
  if (env.OAUTH_ISSUER) {
    config.oauth = { issuer: env.OAUTH_ISSUER, resource: env.MCP_RESOURCE as string };
    if (env.OAUTH_JWKS_URL) config.oauth.jwksUrl = env.OAUTH_JWKS_URL;
  }
  return config;
}
