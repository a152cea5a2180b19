/**
 * The server-side logger a handler gets as `ctx.logger` (and a middleware as `call.logger`): lines
 * for the operator, never sent to the client (`ctx.log()` is the MCP notification to the client).
 */

/** Extra fields of a log line; values are JSON-serialisable (an `Error` is written as name, message, stack). */
export type LogFields = Record<string, unknown>;

/** Severity of a log line, lowest first. */
export type LogSeverity = "debug" | "info" | "warn" | "error";

/** A structured logger: each call writes one line of `message` plus fields. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields` (a child's fields win over its parent's). */
  child(fields: LogFields): Logger;
}
