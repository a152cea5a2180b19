/** The one helper every HTTP answer of Portico is built with. */

import { bufferedResponse } from "@portico/host";
import { ErrorCode } from "../errors.ts";
import { errorMessage, type JsonRpcMessage, type RequestId } from "../jsonrpc/messages.ts";
import { failedStoreOf } from "../stores/timed.ts";

/** Extra response headers, names in lower case. */
export type HeaderRecord = Record<string, string>;

/** A JSON response with the given status and extra headers. */
export function jsonResponse(body: unknown, status = 200, headers?: HeaderRecord): Response {
  return bufferedResponse(JSON.stringify(body), status, { ...headers, "content-type": "application/json" });
}

export interface HttpErrorOptions {
  id?: RequestId | null;
  data?: unknown;
  headers?: HeaderRecord;
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
  return bufferedResponse(null, 202, {});
}

/** 405 for a stream the host could not deliver (see `ctx.canStream`). */
export function cannotStream(): Response {
  return httpError(
    405,
    ErrorCode.InvalidRequest,
    "Method Not Allowed: this endpoint cannot stream (use the streaming endpoint for long-lived streams)",
    { headers: { allow: "POST" } },
  );
}

/** What a client is told failed, by the store whose call failed (never more: no backend, no key). */
const STORAGE: Readonly<Record<string, string>> = {
  sessions: "session storage",
  events: "event storage",
  bus: "message bus",
  limits: "rate-limit storage",
};

/**
 * 503 + `Retry-After` (the store's hint, 1 s to a day) for a store that cannot be reached, named
 * when known (`session storage`, `rate-limit storage`, …), else `storage`.
 */
export function storeUnavailable(
  error: { retryAfterSeconds?: number },
  headers: Record<string, string> = {},
): Response {
  // A store's hint, as a header can carry it: a whole number of seconds from 1 to a day (1 for
  // anything else — NaN, Infinity, a negative number).
  const hint = error.retryAfterSeconds ?? 1;
  const seconds = Number.isFinite(hint) ? Math.min(86_400, Math.max(1, Math.ceil(hint))) : 1;
  const store = failedStoreOf(error);
  const what =
    (store !== undefined && Object.hasOwn(STORAGE, store) ? STORAGE[store] : undefined) ?? "storage";
  return httpError(503, ErrorCode.InternalError, `Service Unavailable: ${what} is unreachable, retry later`, {
    headers: { ...headers, "retry-after": String(seconds) },
  });
}

/** The answer to a request whose result cannot be written as JSON (the cause goes to `onError`). */
export function unwritable(message: JsonRpcMessage): JsonRpcMessage {
  const id = (message as { id?: RequestId | null }).id ?? null;
  return errorMessage(id, ErrorCode.InternalError, "Internal error: the result could not be written as JSON");
}
