/**
 * A Secrets Manager secret, read at a cold start without the AWS SDK: one SigV4-signed
 * `GetSecretValue` call (`signAwsRequest` of @portico/host, hashed in plain JavaScript) sent with
 * `lightFetch` (node:https) — neither undici, Node's `fetch`, nor Node's WebCrypto is loaded, each of
 * which costs a Lambda cold start tens of milliseconds. For `createHandler`'s `secret`.
 */
import { type AwsCredentials, isTimerMs, lightFetch, signAwsRequest, timerRange } from "@portico/host";
import { env, envCredentials, envRegion } from "./_aws-env.ts";

export interface ReadSecretOptions {
  /** Default: the region in the secret's ARN, else `AWS_REGION` (`AWS_DEFAULT_REGION`). */
  region?: string;
  /** Default: the function's role credentials from the environment (`AWS_ACCESS_KEY_ID`, …). */
  credentials?: AwsCredentials;
  /**
   * Default: `AWS_ENDPOINT_URL_SECRETS_MANAGER`, else `AWS_ENDPOINT_URL`, else
   * `https://secretsmanager.<region>.amazonaws.com` (`.com.cn` in China regions).
   */
  endpoint?: string;
  /** Shortest `SecretString` taken (an HMAC key should carry 256 bits: 32). Default 1. */
  minLength?: number;
  /** Retries of a 5xx, a throttle (429) or a network failure, with back-off. Default 2. */
  retries?: number;
  /** Longest wait for one answer. Default 5 s; 1 to 2^31−1 ms. */
  timeoutMs?: number;
}

const ARN_REGION = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/;

function defaultEndpoint(region: string): string {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://secretsmanager.${region}.${suffix}/`;
}

interface Answer {
  status: number;
  data: { SecretString?: unknown; __type?: unknown };
}

/**
 * The `SecretString` of `secretId` (a name or an ARN). Throws an `Error` naming the secret and the
 * AWS error type (`GetSecretValue(<id>) failed: HTTP 400 ResourceNotFoundException`), or that its
 * `SecretString` is missing or shorter than `minLength` — never the value. The function's role
 * needs `secretsmanager:GetSecretValue` on the secret (and `kms:Decrypt` for a customer key).
 */
export async function readSecret(secretId: string, options: ReadSecretOptions = {}): Promise<string> {
  const name = `GetSecretValue(${secretId})`;
  const { minLength = 1, retries = 2, timeoutMs = 5_000 } = options;
  if (typeof secretId !== "string" || secretId === "")
    throw new TypeError("readSecret: secretId must be a name or an ARN");
  if (!Number.isSafeInteger(minLength) || minLength < 1)
    throw new RangeError(`readSecret: minLength must be a positive integer, got ${String(minLength)}`);
  if (!Number.isSafeInteger(retries) || retries < 0 || retries > 10)
    throw new RangeError(`readSecret: retries must be 0 to 10, got ${String(retries)}`);
  if (!isTimerMs(timeoutMs, 1))
    throw new RangeError(`readSecret: timeoutMs must be ${timerRange(1)}, got ${String(timeoutMs)}`);
  const region = options.region ?? ARN_REGION.exec(secretId)?.[1] ?? envRegion();
  if (region === undefined) throw new Error(`${name}: no region (not on Lambda? pass it in the options)`);
  const credentials = options.credentials ?? envCredentials();
  if ("missing" in credentials) {
    throw new Error(
      `${name}: no credentials (${credentials.missing}) (not on Lambda? pass them in the options)`,
    );
  }
  const url = new URL(
    options.endpoint ??
      env("AWS_ENDPOINT_URL_SECRETS_MANAGER") ??
      env("AWS_ENDPOINT_URL") ??
      defaultEndpoint(region),
  );
  const body = JSON.stringify({ SecretId: secretId });
  const attempt = async (): Promise<Answer> => {
    const headers = await signAwsRequest({
      method: "POST",
      url,
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "secretsmanager.GetSecretValue",
      },
      body,
      credentials,
      region,
      service: "secretsmanager",
    });
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await lightFetch(url, { method: "POST", headers, body, signal, maxBytes: 1 << 20 });
    let data: Answer["data"] = {};
    try {
      data = JSON.parse(await response.text());
    } catch {}
    return { status: response.status, data: typeof data === "object" && data !== null ? data : {} };
  };
  let answer: Answer | undefined;
  for (let tries = 0; ; tries++) {
    try {
      answer = await attempt();
      if (answer.status < 500 && answer.status !== 429) break;
    } catch (error) {
      if (tries >= retries) throw new Error(`${name} failed: ${String(error)}`, { cause: error });
    }
    if (tries >= retries) break;
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** tries));
  }
  const { status, data } = answer as Answer;
  if (status !== 200) {
    const type = typeof data.__type === "string" ? data.__type : "unknown error";
    throw new Error(`${name} failed: HTTP ${status} ${type}`);
  }
  if (typeof data.SecretString !== "string" || data.SecretString.length < minLength) {
    throw new Error(`Secret ${secretId} has no SecretString of at least ${minLength} characters`);
  }
  return data.SecretString;
}
