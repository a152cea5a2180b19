/**
 * Reads the requestState secret from Secrets Manager once per cold start, with `readSecret` of
 * @portico/adapter-lambda: one SigV4-signed `GetSecretValue` call sent with node:https — neither the
 * AWS SDK nor undici (Node's `fetch`, whose first use costs a Lambda cold start about 100 ms) is
 * loaded.
 */
import { readSecret } from "@portico/adapter-lambda";
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

/** The secret's `SecretString`. Errors name the secret and the AWS error type, never a value. */
export function fetchSecret(source: SecretSource): Promise<string> {
  return readSecret(source.secretArn, {
    region: source.region,
    credentials: source.credentials,
    minLength: MIN_SECRET_LENGTH,
    ...(source.secretsManagerEndpoint === undefined ? {} : { endpoint: source.secretsManagerEndpoint }),
  });
}
