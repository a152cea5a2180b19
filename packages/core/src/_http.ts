/** The one helper every HTTP answer of Portico is built with. */
import { errorMessage, type RequestId } from "./_jsonrpc.ts";

const JSON_HEADERS = { "content-type": "application/json" } as const;

/** A JSON response with the given status and extra headers. */
export function jsonResponse(body: unknown, status = 200, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", JSON_HEADERS["content-type"]);
  return new Response(JSON.stringify(body), { status, headers: h });
}

export interface HttpErrorOptions {
  id?: RequestId | null;
  data?: unknown;
  headers?: HeadersInit;
}

/** An HTTP error whose body is a JSON-RPC error object (id `null` unless given). */
export function httpError(
  status: number,
  code: number,
  message: string,
  options: HttpErrorOptions = {},
): Response {
  return jsonResponse(errorMessage(options.id ?? null, code, message, options.data), status, options.headers);
}

/** 202 Accepted with no body (notifications and responses). */
export function accepted(): Response {
  return new Response(null, { status: 202 });
}
