/** JSON-RPC and MCP error codes Portico puts on the wire. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** Legacy era: a request without the session id the server requires. */
  SessionRequired: -32000,
  /** Legacy era: an unknown or terminated session. */
  SessionNotFound: -32001,
  /** Legacy era (until 2025-11-25): resource not found. */
  LegacyResourceNotFound: -32002,
  /** 2026-07-28: an `Mcp-*` header is missing, malformed or disagrees with the body. */
  HeaderMismatch: -32020,
  /** 2026-07-28: the request needs a client capability the client did not declare. */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28: the requested protocol version is not supported. */
  UnsupportedProtocolVersion: -32022,
} as const;

/**
 * An error that goes on the wire as a JSON-RPC error object. Throw it from a handler to answer
 * with exactly this code, message and data; any other thrown error is reported without detail.
 */
export class McpError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "McpError";
    this.code = code;
    this.data = data;
  }
}

/**
 * A local error of Portico itself (misconfiguration, misuse of the API). Never sent to a client
 * as is; `code` is a stable string for programs to match on.
 */
export class PorticoError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PorticoError";
    this.code = code;
  }
}

/**
 * A configuration notice for `onError` (a refused Host, a missing secret): a `PorticoError` whose
 * stack is its one line, since where the handler noticed it says nothing useful.
 */
export function notice(code: string, message: string): PorticoError {
  const error = new PorticoError(code, message);
  error.stack = `PorticoError [${code}]: ${message}`;
  return error;
}

/**
 * Thrown by a store when its backend cannot be reached or keeps refusing (after the store's own
 * retries). The handler answers 503 with `Retry-After` instead of a 500, so the client retries;
 * nothing the store acknowledged before is affected.
 */
export class StoreUnavailableError extends PorticoError {
  /** Seconds a client should wait before retrying (the `Retry-After` value). */
  readonly retryAfterSeconds: number;

  constructor(message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    super("store_unavailable", message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StoreUnavailableError";
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
  }
}

/**
 * True for a {@link StoreUnavailableError}, also one from another copy of this module. Never throws:
 * whatever was thrown (a Proxy whose traps throw, say) is false when it cannot be looked at.
 */
export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  try {
    return (
      error instanceof StoreUnavailableError ||
      (error instanceof Error && (error as { code?: unknown }).code === "store_unavailable")
    );
  } catch {
    return false;
  }
}

/**
 * A handler returned something that is not a valid result (`what`: `resource <uri>`, `prompt <name>`):
 * reported with `why`, and the error to throw, which answers -32603 "Internal error".
 */
export function invalidResult(report: ErrorReporter, what: string, why: string): McpError {
  report(new PorticoError("invalid_result", `${what} returned an invalid result: ${why}`), what);
  return new McpError(ErrorCode.InternalError, "Internal error");
}

/** Receives errors that are not sent to clients (`HandlerOptions.onError`; `call`: the `McpCall`, if any). */
export type ErrorReporter = (error: unknown, where: string, call?: object) => void;

/**
 * Thrown inside a handler to abandon this round of a modern request that needs client input (MRTR);
 * never reaches the client as an error.
 * @internal
 */
export class InputRequiredSignal extends Error {
  constructor() {
    super("Input required");
    this.name = "InputRequiredSignal";
  }
}

/**
 * Thrown by `ctx.startTask()` in a handler running in its request: the call becomes a task (its
 * run starts the handler again, in the background); never reaches the client as an error.
 * @internal
 */
export class TaskStartSignal extends Error {
  constructor() {
    super("Task started");
    this.name = "TaskStartSignal";
  }
}
