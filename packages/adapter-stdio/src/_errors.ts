/**
 * The JSON-RPC errors this adapter writes itself: for input that is not a message, and for an
 * HTTP answer that is not the response a request expects. Messages are one line, with no detail
 * from an exception (never a stack trace).
 */
import { isObject } from "./_headers.ts";

export type RequestId = string | number;

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const INTERNAL_ERROR = -32603;

export interface ErrorMessage {
  jsonrpc: "2.0";
  id: RequestId | null;
  error: { code: number; message: string; data?: unknown };
}

export function errorMessage(id: RequestId | null, code: number, message: string): ErrorMessage {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/** The `error` member of a body that is a JSON-RPC error (any id), if it is one. */
export function jsonRpcErrorOf(body: unknown): ErrorMessage["error"] | undefined {
  if (!isObject(body) || !isObject(body.error)) return undefined;
  const { code, message, data } = body.error;
  if (typeof code !== "number" || typeof message !== "string") return undefined;
  return data === undefined ? { code, message } : { code, message, data };
}

const SNIPPET = 200;

/** One line of at most {@link SNIPPET} characters from a body. */
function snippet(text: string): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? "";
  return line.length > SNIPPET ? `${line.slice(0, SNIPPET)}…` : line;
}

/**
 * The error response for request `id` when the handler answered HTTP `status` with `body` (a
 * parsed JSON body, or text): its JSON-RPC error when it has one — with the request's id, since
 * an HTTP-level error carries `id: null` — else one saying what the handler answered.
 */
export function httpErrorFor(id: RequestId | null, status: number, body: unknown): ErrorMessage {
  const error = jsonRpcErrorOf(body);
  if (error !== undefined) return { jsonrpc: "2.0", id, error };
  const code = status >= 500 || status < 400 ? INTERNAL_ERROR : INVALID_REQUEST;
  let what = `HTTP ${status}`;
  if (typeof body === "string") {
    const text = snippet(body);
    what += text === "" ? " without a response" : `: ${text}`;
  } else if (status < 400) what += " with a body that is not a JSON-RPC response";
  return errorMessage(id, code, `The MCP handler answered ${what}`);
}

/** A JSON-RPC id, or `null` when `value` is not a usable one. */
export function idOf(value: unknown): RequestId | null {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? value : null;
}

/** What a message is, by its members (JSON-RPC 2.0). */
export type MessageKind = "request" | "notification" | "response" | "invalid";

export function kindOf(message: unknown): MessageKind {
  if (!isObject(message) || message.jsonrpc !== "2.0") return "invalid";
  if (typeof message.method === "string") {
    if (!("id" in message)) return "notification";
    return idOf(message.id) === null ? "invalid" : "request";
  }
  if ("method" in message) return "invalid";
  if (("result" in message || "error" in message) && "id" in message) return "response";
  return "invalid";
}
