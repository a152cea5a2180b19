/**
 * Fetches the requestState secret from Secrets Manager once per cold start: one signed
 * `GetSecretValue` call through aws4fetch (a few KB, Web Crypto) instead of the AWS SDK.
 */
import { AwsClient } from "aws4fetch";
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

function defaultEndpoint(region: string): string {
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://secretsmanager.${region}.${suffix}/`;
}

/** The secret's `SecretString`. Errors name the secret and the AWS error type, never a value. */
export async function fetchSecret(source: SecretSource): Promise<string> {
  const client = new AwsClient({
    ...source.credentials,
    service: "secretsmanager",
    region: source.region,
    // Retries on 5xx/429 with backoff; kept small so a failing cold start fails fast.
    retries: 2,
  });
  const response = await client.fetch(source.secretsManagerEndpoint ?? defaultEndpoint(source.region), {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "secretsmanager.GetSecretValue",
    },
    body: JSON.stringify({ SecretId: source.secretArn }),
  });
  const data = (await response.json().catch(() => ({}))) as { SecretString?: unknown; __type?: unknown };
  if (!response.ok) {
    const type = typeof data.__type === "string" ? data.__type : "unknown error";
    throw new Error(`GetSecretValue(${source.secretArn}) failed: HTTP ${response.status} ${type}`);
  }
  if (typeof data.SecretString !== "string" || data.SecretString.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `Secret ${source.secretArn} has no SecretString of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  return data.SecretString;
}
