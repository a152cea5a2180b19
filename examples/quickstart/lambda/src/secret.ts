/**
 * Fetches the requestState secret from Secrets Manager once per cold start: one SigV4-signed
 * `GetSecretValue` call (`signAwsRequest` of @portico/host, on Web Crypto) sent with `lightFetch`
 * (node:https): neither the AWS SDK nor undici, Node's `fetch`, whose first use costs a Lambda
 * cold start about 100 ms, is loaded.
 */
import { lightFetch, signAwsRequest } from "@portico/host";
import type { AwsCredentials } from "./config.ts";

export interface SecretSource {
  secretArn: string;
  region: string;
  credentials: AwsCredentials;
  /** Default `https://secretsmanager.<region>.amazonaws.com` (`.com.cn` in China regions). */
  secretsManagerEndpoint?: string;
}

/** Shorter secrets are refused: the HMAC key should carry at least 256 bits. */
export const MIN_SECRET_LENGTH = 32;
/** Retries of a 5xx, a 429 or a network failure; kept small so a failing cold start fails fast. */
const RETRIES = 2;
const TIMEOUT_MS = 5_000;

function defaultEndpoint(region: string): string {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://secretsmanager.${region}.${suffix}/`;
}

/** One signed attempt: the status and the parsed answer (`{}` when it is not JSON). */
async function attempt(url: URL, source: SecretSource, body: string) {
  const headers = await signAwsRequest({
    method: "POST",
    url,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "secretsmanager.GetSecretValue",
    },
    body,
    credentials: source.credentials,
    region: source.region,
    service: "secretsmanager",
  });
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const response = await lightFetch(url, { method: "POST", headers, body, signal, maxBytes: 1 << 20 });
  let data: { SecretString?: unknown; __type?: unknown } = {};
  try {
    data = JSON.parse(await response.text());
  } catch {}
  return { status: response.status, data };
}

/** The secret's `SecretString`. Errors name the secret and the AWS error type, never a value. */
export async function fetchSecret(source: SecretSource): Promise<string> {
  const url = new URL(source.secretsManagerEndpoint ?? defaultEndpoint(source.region));
  const body = JSON.stringify({ SecretId: source.secretArn });
  let answer: Awaited<ReturnType<typeof attempt>> | undefined;
  for (let tries = 0; ; tries++) {
    try {
      answer = await attempt(url, source, body);
      if (answer.status < 500 && answer.status !== 429) break;
    } catch (error) {
      if (tries >= RETRIES) throw new Error(`GetSecretValue(${source.secretArn}) failed: ${String(error)}`);
    }
    if (tries >= RETRIES) break;
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** tries));
  }
  const { status, data } = answer as NonNullable<typeof answer>;
  if (status !== 200) {
    const type = typeof data.__type === "string" ? data.__type : "unknown error";
    throw new Error(`GetSecretValue(${source.secretArn}) failed: HTTP ${status} ${type}`);
  }
  if (typeof data.SecretString !== "string" || data.SecretString.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `Secret ${source.secretArn} has no SecretString of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return data.SecretString;
}
