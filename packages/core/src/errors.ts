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
