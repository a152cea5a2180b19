/**
 * A request refused before its work, answered with its own HTTP status and headers: invalid
 * params (400), a per-caller cap or a rate limit (429 + `Retry-After`), a full server (503 +
 * `Retry-After`). Thrown inside the middleware chain like any `McpError`, so middleware sees the
 * refusal — and a middleware may throw one itself.
 *
 * The status applies where the era answers an error with an HTTP status of its own: a 2026-07-28
 * request, a legacy `initialize`, a `subscriptions/listen`, before anything was streamed. Inside a
 * legacy session (and once a stream has begun) it is answered like any `McpError`: the JSON-RPC
 * error, in an HTTP 200.
 */
import { McpError, PorticoError } from "../errors.ts";

export class RefusedError extends McpError {
  /** The HTTP status: 400–599. */
  readonly status: number;
  /** Headers of the answer (`retry-after`, …), lowercase names. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: number,
    message: string,
    options: { data?: unknown; headers?: Readonly<Record<string, string>> } = {},
  ) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new PorticoError("invalid_status", `RefusedError: status must be 400–599, not ${status}`);
    }
    super(code, message, options.data);
    this.name = "RefusedError";
    this.status = status;
    this.headers = options.headers ?? {};
  }
}
