/**
 * The JSON-RPC plumbing both eras share: request ids, the headers every request carries, POSTs to
 * the upstream (fetch failures and timeouts classified), and reading the answer from a JSON or SSE
 * body.
 */

import { fetchWithinOrigin, isRedirectRefusal, type RedirectRefusal } from "@portico/host";
import { readText } from "./body.ts";
import { UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import { asObject, type Json } from "./json.ts";
import { readSse } from "./sse.ts";

export const CLIENT_INFO = { name: "portico-proxy", version: "0.1.0" };
const ACCEPT = "application/json, text/event-stream";

export interface JsonRpcMessage {
  jsonrpc?: string;
  id?: string | number | null;
  method?: string;
  params?: Json;
  result?: Json;
  error?: { code: number; message: string; data?: unknown };
}

export interface ChannelOptions {
  target: URL;
  fetch: typeof fetch;
  /** Headers every request carries (static ones: an API key). */
  headers: Headers;
  /** The largest message read from the upstream (a JSON body, one SSE event). */
  maxMessageBytes: number;
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Extra headers for this request only (the caller's forwarded credentials). */
  headers?: Headers | undefined;
  /** `Mcp-Param-*` headers (modern era) for a tool's `x-mcp-header` arguments. */
  paramHeaders?: Record<string, string> | undefined;
  /** Notifications the upstream sends while answering (progress, log messages). */
  onNotification?: ((message: { method: string; params: Json }) => void) | undefined;
  /** Modern era: the client capabilities declared upstream for this request. */
  clientCapabilities?: Json | undefined;
  /**
   * Legacy era: answers a server→client request of the upstream (elicitation, sampling, roots) by
   * asking the caller; `undefined` when the request is not one the proxy forwards.
   */
  onRequest?: ((request: { method: string; params: Json }) => Promise<Json | undefined>) | undefined;
}

/** The upstream endpoint: request ids (one sequence for both eras), headers, and HTTP requests. */
export class RpcChannel {
  readonly #options: ChannelOptions;
  #nextId = 1;

  constructor(options: ChannelOptions) {
    this.#options = options;
  }

  /** The largest message read from the upstream (a JSON body, one SSE event). */
  get maxMessageBytes(): number {
    return this.#options.maxMessageBytes;
  }

  /** The id the next request will get (without taking it). */
  get upcomingId(): number {
    return this.#nextId;
  }

  /** Takes a new request id. */
  nextId(): number {
    return this.#nextId++;
  }

  /** The static headers, then `extra`, then the JSON-RPC content type and accepted answers. */
  headers(extra?: Headers): Headers {
    const headers = new Headers(this.#options.headers);
    for (const [name, value] of extra ?? []) headers.set(name, value);
    headers.set("Content-Type", "application/json");
    headers.set("Accept", ACCEPT);
    return headers;
  }

  /**
   * Any HTTP request to the target, as is (the legacy session's `DELETE`). Redirects are followed
   * by hand within the target's origin only, at most 5 times (`fetchWithinOrigin`): `fetch` would
   * resend the static headers (an API key), the caller's credentials and the call's arguments to
   * any origin a redirect names. A redirect not followed throws an `unreachable` failure.
   */
  async send(init: RequestInit): Promise<Response> {
    const result = await fetchWithinOrigin(this.#options.fetch, this.#options.target.href, init);
    if (isRedirectRefusal(result)) throw new UpstreamTransportError("unreachable", refusalText(result));
    return result;
  }

  /**
   * POSTs one JSON-RPC message. A failed fetch is `unreachable`; when `signal` aborted it,
   * `onAbort` runs and the abort is thrown (a timeout as `timeout`).
   */
  async post(
    body: JsonRpcMessage,
    headers: Headers,
    signal: AbortSignal | undefined,
    onAbort?: () => void,
  ): Promise<Response> {
    try {
      return await this.send({
        method: "POST",
        headers,
        body: JSON.stringify(body),
        signal: signal ?? null,
      });
    } catch (error) {
      if (signal?.aborted) {
        onAbort?.();
        throw abortError(signal);
      }
      if (error instanceof UpstreamTransportError) throw error;
      throw new UpstreamTransportError("unreachable", `fetch failed: ${String(error)}`, { cause: error });
    }
  }
}

/** Why a redirect of the upstream was not followed, for the operator's log. */
function refusalText(refusal: RedirectRefusal): string {
  switch (refusal.refused) {
    case "invalid_location":
      return `redirected to an invalid location: ${refusal.location.slice(0, 200)}`;
    case "other_origin":
      return `redirected to another origin (${refusal.origin}), not followed`;
    case "too_many_redirects":
      return `redirected more than ${refusal.max} times`;
  }
}

/** A timeout becomes an `UpstreamTransportError`; the caller's own cancellation stays an abort. */
export function abortError(signal: AbortSignal): Error {
  const reason = signal.reason;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new UpstreamTransportError("timeout", "the upstream did not answer in time", { cause: reason });
  }
  return reason instanceof Error ? reason : new DOMException("Aborted", "AbortError");
}

/**
 * The answer to request `id`: the JSON body, or the matching message of an SSE body (notifications
 * before it go to `onNotification`, server→client requests to `onRequest`).
 */
export async function readAnswer(
  response: Response,
  id: number,
  options: RequestOptions,
  onRequest: ((request: JsonRpcMessage) => Promise<void>) | undefined,
  maxMessageBytes: number,
): Promise<JsonRpcMessage | undefined> {
  /** A failure of `onRequest` (asking the caller), thrown as is rather than as a transport failure. */
  let askFailure: { error: unknown } | undefined;
  const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  try {
    if (type === "text/event-stream" && response.body !== null) {
      for await (const event of readSse(response.body, maxMessageBytes, options.signal)) {
        if (event.data.trim() === "") continue;
        const message = parseJson(event.data) as JsonRpcMessage;
        if (message.id === id && (message.result !== undefined || message.error !== undefined))
          return message;
        if (typeof message.method === "string") {
          if (message.id !== undefined && message.id !== null) {
            // The upstream waits for this answer before it goes on, so the stream is read after it.
            await onRequest?.(message).catch((error: unknown) => {
              askFailure = { error };
              throw error;
            });
          } else options.onNotification?.({ method: message.method, params: asObject(message.params) });
        }
      }
      throw new UpstreamTransportError("protocol", "the SSE stream ended without an answer");
    }
    const text = await readText(response, maxMessageBytes, options.signal);
    if (text.trim() === "") return undefined;
    const parsed = parseJson(text);
    const messages = (Array.isArray(parsed) ? parsed : [parsed]) as JsonRpcMessage[];
    return messages.find((m) => m.id === id) ?? messages.find((m) => m.error !== undefined);
  } catch (error) {
    if (askFailure !== undefined) throw askFailure.error;
    if (error instanceof UpstreamTransportError) throw error;
    if (options.signal?.aborted) throw abortError(options.signal);
    if (error instanceof SyntaxError) {
      if (!response.ok) throw refused(response);
      throw new UpstreamTransportError("protocol", `not JSON: ${error.message}`, { cause: error });
    }
    throw new UpstreamTransportError("unreachable", `reading the answer failed: ${String(error)}`, {
      cause: error,
    });
  }
}

function refused(response: Response): UpstreamTransportError {
  return new UpstreamTransportError("refused", `HTTP ${response.status}`, { status: response.status });
}

/** The result of an answer, or its JSON-RPC error thrown; an HTTP error without one is `refused`. */
export function unwrap(message: JsonRpcMessage | undefined, response: Response): Json {
  const error = message?.error;
  if (error !== undefined && typeof error === "object" && error !== null) {
    const code = typeof error.code === "number" ? error.code : -32603;
    const text = typeof error.message === "string" ? error.message : "Upstream error";
    throw new UpstreamRpcError(code, text, error.data);
  }
  if (!response.ok) throw refused(response);
  const result = message?.result;
  if (result === undefined || typeof result !== "object" || result === null) {
    throw new UpstreamTransportError("protocol", "the answer carries no result");
  }
  return result;
}

function parseJson(text: string): unknown {
  return JSON.parse(text);
}
