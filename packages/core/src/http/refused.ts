/**
 * A request refused before its work, answered with its own HTTP status and headers: invalid
 * params (400), a per-caller cap (429 + `Retry-After`), a full server (503 + `Retry-After`). Thrown
 * inside the middleware chain like any `McpError`, so middleware sees the refusal.
 */
import { McpError } from "../errors.ts";

export class Refused extends McpError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: number,
    message: string,
    options: { data?: unknown; headers?: Readonly<Record<string, string>> } = {},
  ) {
    super(code, message, options.data);
    this.status = status;
    this.headers = options.headers ?? {};
  }
}
