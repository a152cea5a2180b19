/** JSON-RPC 2.0 framing: message shapes, classification and builders. */

export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcResult {
  jsonrpc: "2.0";
  id: RequestId;
  result: Record<string, unknown>;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcError {
  jsonrpc: "2.0";
  id: RequestId | null;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcResult | JsonRpcError;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

export type Classified =
  | { kind: "request"; message: JsonRpcRequest }
  | { kind: "notification"; message: JsonRpcNotification }
  | { kind: "response"; message: JsonRpcResponse }
  | { kind: "invalid"; id: RequestId | null; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is RequestId {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

/** Classifies one parsed JSON value as a JSON-RPC message, or says why it is not one. */
export function classify(value: unknown): Classified {
  if (!isRecord(value)) return { kind: "invalid", id: null, reason: "A JSON-RPC message must be an object" };
  const id = isId(value.id) ? value.id : null;
  if (value.jsonrpc !== "2.0") return { kind: "invalid", id, reason: 'The "jsonrpc" member must be "2.0"' };
  if ("method" in value) {
    if (typeof value.method !== "string" || value.method === "") {
      return { kind: "invalid", id, reason: 'The "method" member must be a non-empty string' };
    }
    if (value.params !== undefined && !isRecord(value.params)) {
      return { kind: "invalid", id, reason: 'The "params" member must be an object' };
    }
    if ("id" in value) {
      if (!isId(value.id))
        return { kind: "invalid", id: null, reason: 'The "id" member must be a string or number' };
      return { kind: "request", message: value as unknown as JsonRpcRequest };
    }
    return { kind: "notification", message: value as unknown as JsonRpcNotification };
  }
  if ("result" in value || "error" in value) {
    if (!("id" in value) || (value.id !== null && !isId(value.id))) {
      return { kind: "invalid", id: null, reason: 'A response needs an "id"' };
    }
    if ("result" in value && !isRecord(value.result)) {
      return { kind: "invalid", id, reason: 'The "result" member must be an object' };
    }
    if ("error" in value && (!isRecord(value.error) || typeof value.error.code !== "number")) {
      return { kind: "invalid", id, reason: 'The "error" member must be an error object' };
    }
    return { kind: "response", message: value as unknown as JsonRpcResponse };
  }
  return { kind: "invalid", id, reason: "Not a request, notification or response" };
}

/** Whether `value` can be the `result` of a response: an object, not an array (nor null). */
export function isResultObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value);
}

export function resultMessage(id: RequestId, result: Record<string, unknown>): JsonRpcResult {
  return { jsonrpc: "2.0", id, result };
}

export function errorMessage(
  id: RequestId | null,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcError {
  const error: JsonRpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: "2.0", id, error };
}

export function notificationMessage(method: string, params?: Record<string, unknown>): JsonRpcNotification {
  return params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
}
