import { PorticoError } from "@portico/core";
import type { AwsCredentials } from "@portico/host";

/** `process.env` where there is one (Node, Lambda, Vercel), nothing on Workers. No `node:` import. */
function env(): Record<string, string | undefined> {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env ?? {};
}

/** The region from the options, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else a config error. */
export function resolveRegion(region: string | undefined, endpoint: string | undefined): string {
  const resolved = region ?? env().AWS_REGION ?? env().AWS_DEFAULT_REGION;
  if (resolved) return resolved;
  // A local server ignores the region, but it is still part of the signature.
  if (endpoint !== undefined) return "us-east-1";
  throw new PorticoError(
    "dynamodb_config",
    "DynamoDB region missing: pass `region` or set AWS_REGION (or pass `endpoint` for a local server)",
  );
}

/** Credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`. */
export function credentialsFromEnv(): AwsCredentials {
  const vars = env();
  const accessKeyId = vars.AWS_ACCESS_KEY_ID;
  const secretAccessKey = vars.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new PorticoError(
      "dynamodb_config",
      "DynamoDB credentials missing: pass `credentials` or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    );
  }
  const credentials: AwsCredentials = { accessKeyId, secretAccessKey };
  if (vars.AWS_SESSION_TOKEN) credentials.sessionToken = vars.AWS_SESSION_TOKEN;
  return credentials;
}
