/** What can go wrong talking to the upstream server, kept apart from what the caller may see. */

/** The largest message read from an HTTP upstream (a JSON body, one SSE event) by default: 16 MiB. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The upstream answered with a JSON-RPC error: passed on to the caller as is. */
export class UpstreamRpcError extends Error {
  readonly code: number;
  readonly data: unknown;

  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "UpstreamRpcError";
    this.code = code;
    this.data = data;
  }
}

export type TransportFailure = "unreachable" | "timeout" | "refused" | "protocol" | "too_large";

/**
 * The upstream could not be used: a network failure, a timeout, an HTTP error without a JSON-RPC
 * answer, or a malformed answer. Its message is for the operator's log; callers get a generic one.
 */
export class UpstreamTransportError extends Error {
  readonly kind: TransportFailure;
  /** The HTTP status, for `refused`. */
  readonly status: number | undefined;
  /** The bound a message went past, for `too_large`. */
  readonly limit: number | undefined;

  constructor(
    kind: TransportFailure,
    message: string,
    options: { status?: number; limit?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "UpstreamTransportError";
    this.kind = kind;
    this.status = options.status;
    this.limit = options.limit;
  }
}

/** The message a caller sees for a transport failure: nothing about hosts, ports or stack traces. */
export function publicMessage(error: UpstreamTransportError): string {
  switch (error.kind) {
    case "timeout":
      return "The upstream MCP server did not answer in time";
    case "refused":
      return `The upstream MCP server refused the request (HTTP ${error.status ?? "error"})`;
    case "protocol":
      return "The upstream MCP server sent an invalid answer";
    case "too_large":
      return `The upstream MCP server sent a message larger than ${error.limit ?? MAX_MESSAGE_BYTES} bytes`;
    default:
      return "The upstream MCP server could not be reached";
  }
}

/**
 * A modern upstream answered `input_required`: it needs client input (`inputRequests`, keyed by
 * the upstream) and wants them back with its `requestState` on a retry.
 */
export class UpstreamInputRequired extends Error {
  readonly inputRequests: Record<string, unknown>;
  readonly requestState: string | undefined;

  constructor(inputRequests: Record<string, unknown>, requestState: string | undefined) {
    super("The upstream MCP server asked for client input");
    this.name = "UpstreamInputRequired";
    this.inputRequests = inputRequests;
    this.requestState = requestState;
  }
}
