/** What the Lambda environment says about AWS: region and the function role's credentials. */
import type { AwsCredentials } from "@portico/host";

/** An environment variable, `undefined` when unset or empty. */
export function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

/** `AWS_REGION`, else `AWS_DEFAULT_REGION`. */
export function envRegion(): string | undefined {
  return env("AWS_REGION") ?? env("AWS_DEFAULT_REGION");
}

/** The role's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), or what is missing. */
export function envCredentials(): AwsCredentials | { missing: string } {
  const accessKeyId = env("AWS_ACCESS_KEY_ID");
  if (accessKeyId === undefined) return { missing: "AWS_ACCESS_KEY_ID" };
  const secretAccessKey = env("AWS_SECRET_ACCESS_KEY");
  if (secretAccessKey === undefined) return { missing: "AWS_SECRET_ACCESS_KEY" };
  const sessionToken = env("AWS_SESSION_TOKEN");
  return sessionToken === undefined
    ? { accessKeyId, secretAccessKey }
    : { accessKeyId, secretAccessKey, sessionToken };
}
