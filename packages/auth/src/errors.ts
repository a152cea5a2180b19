/**
 * The one error an authenticator reports: a dependency it needs to decide (a JWKS, an authorization
 * server's metadata, an introspection endpoint, ALB's key endpoint) could not be reached or answered
 * nonsense. Callers then get 503 with `Retry-After`, never 401: the token may well be good.
 * Bad client tokens are not errors and are never reported.
 */

/** Which dependency failed, as passed to `onError(error, where)`. */
export type AuthErrorSource = "jwks" | "metadata" | "introspection" | "keys" | "verify";

/** Reports an internal failure (one that throws or rejects is ignored); the default writes one `console.error` line. */
export type AuthErrorReporter = (error: unknown, where: AuthErrorSource) => void;

/** A dependency of an authenticator is unavailable; requests answer 503 until `retryAfterSeconds`. */
export class AuthUnavailableError extends Error {
  override readonly name = "AuthUnavailableError";
  /** The dependency that failed. */
  readonly source: AuthErrorSource;
  /** Seconds until the authenticator tries the dependency again (the `Retry-After` it answers). */
  readonly retryAfterSeconds: number;

  constructor(source: AuthErrorSource, message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(message, options);
    this.source = source;
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

const ignore = () => {};

/**
 * `onError` made safe to call: a reporter that throws is ignored, and so is the rejection of an
 * async one (never an unhandled rejection, which ends a Node process); the default logs one line.
 */
export function reporter(onError: AuthErrorReporter | undefined): AuthErrorReporter {
  const report =
    onError ??
    ((error: unknown, where: AuthErrorSource) => console.error(`[@portico/auth] ${where}:`, error));
  return (error, where) => {
    try {
      const returned: unknown = report(error, where);
      if (returned !== undefined && typeof (returned as { then?: unknown }).then === "function")
        Promise.resolve(returned).catch(ignore);
    } catch {
      // A failing reporter must not turn an answer into a crash.
    }
  };
}
