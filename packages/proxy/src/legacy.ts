/**
 * The legacy era (2025-11-25) as a session: `initialize` (then `notifications/initialized`), the
 * session id on every later request, a new session (started once, shared) when the old one
 * expires, and `DELETE` to end it. Server→client requests on a call's answer stream are answered
 * by asking the call's caller (`RequestOptions.onRequest`); a cancelled request is announced with
 * `notifications/cancelled`.
 */

import { UpstreamTransportError } from "./errors.ts";
import { asObject, type Json } from "./json.ts";
import {
  abortError,
  CLIENT_INFO,
  type JsonRpcMessage,
  type RequestOptions,
  type RpcChannel,
  readAnswer,
  unwrap,
} from "./rpc.ts";

export const LEGACY_VERSION = "2025-11-25";

/** Longest a shared handshake (`initialize`) may take; each waiting request still ends at its own signal. */
const HANDSHAKE_MS = 60_000;

/** `promise`, or the abort of `signal` if it comes first (the promise goes on for whoever else waits). */
function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * What the proxy declares upstream: one session serves every caller, so it declares the input
 * requests it can forward; a caller without the capability gets the core's -32021 error.
 */
export const CLIENT_CAPABILITIES = { elicitation: { form: {} }, sampling: {}, roots: {} };

export class LegacySession {
  readonly #rpc: RpcChannel;
  #version = LEGACY_VERSION;
  #capabilities: Json = {};
  /** The current session (a promise, so that concurrent requests share one handshake). */
  #session: Promise<string | undefined> | undefined;

  constructor(rpc: RpcChannel) {
    this.#rpc = rpc;
  }

  /** The capabilities of the latest `initialize` result. */
  get capabilities(): Json {
    return this.#capabilities;
  }

  /** Starts the session. */
  async start(signal: AbortSignal | undefined): Promise<void> {
    this.#session = this.#initialize(signal);
    await this.#session;
  }

  /** Sends one request in the session (starting one first if there is none). */
  async request(method: string, params: Json, options: RequestOptions, retried = false): Promise<Json> {
    const [session, sessionId] = await this.#current(options.signal);
    const headers = this.#headers(sessionId, options.headers);
    const id = this.#rpc.nextId();
    const response = await this.#rpc.post(
      { jsonrpc: "2.0", id, method, params },
      headers,
      options.signal,
      () =>
        this.#notify(
          { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id } },
          sessionId,
        ),
    );
    if (response.status === 404 && sessionId !== undefined) {
      await response.body?.cancel();
      if (retried)
        throw new UpstreamTransportError("refused", "the new session expired at once", { status: 404 });
      // The session expired: start a new one (once, shared by every request that noticed) and retry.
      // The handshake is everyone's: it runs on its own deadline, not this caller's signal.
      if (this.#session === session) this.#session = this.#initialize(AbortSignal.timeout(HANDSHAKE_MS));
      return this.request(method, params, options, true);
    }
    const message = await readAnswer(
      response,
      id,
      options,
      (request) => this.#answer(request, sessionId, options),
      this.#rpc.maxMessageBytes,
    );
    return unwrap(message, response);
  }

  /** The largest message read from the upstream (a JSON body, one SSE event). */
  get maxMessageBytes(): number {
    return this.#rpc.maxMessageBytes;
  }

  /**
   * Opens the session's standalone GET stream (`Last-Event-ID` when resuming). When the session
   * expired (404), a new one is started for the next attempt and the expiry is thrown.
   */
  async openStream(signal: AbortSignal, lastEventId: string | undefined): Promise<Response> {
    const [session, sessionId] = await this.#current(signal);
    const headers = this.#headers(sessionId);
    headers.delete("Content-Type");
    headers.set("Accept", "text/event-stream");
    if (lastEventId !== undefined) headers.set("Last-Event-ID", lastEventId);
    let response: Response;
    try {
      response = await this.#rpc.send({ method: "GET", headers, signal });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new UpstreamTransportError("unreachable", `GET stream: ${String(error)}`, { cause: error });
    }
    if (response.status === 404 && sessionId !== undefined) {
      await response.body?.cancel();
      if (this.#session === session) this.#session = undefined;
      throw new UpstreamTransportError("refused", "the session expired", { status: 404 });
    }
    return response;
  }

  /** Answers a server→client request that came on the GET stream (best effort). */
  async reply(message: JsonRpcMessage): Promise<void> {
    const sessionId = await this.#session?.catch(() => undefined);
    await this.#notify(message, sessionId);
  }

  /** Ends the session (`DELETE`), if one was started. */
  async close(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (session === undefined) return;
    const id = await session.catch(() => undefined);
    if (id === undefined) return;
    try {
      const response = await this.#rpc.send({
        method: "DELETE",
        headers: this.#headers(id),
        signal: AbortSignal.timeout(5000),
      });
      await response.body?.cancel();
    } catch {
      // The session expires on its own.
    }
  }

  /** The current session (started first if there is none) and its id; a failed start is forgotten. */
  async #current(
    signal: AbortSignal | undefined,
  ): Promise<[Promise<string | undefined>, string | undefined]> {
    let session = this.#session;
    if (session === undefined) {
      // Shared by every request that waits for it: on its own deadline, not the first caller's signal.
      session = this.#initialize(AbortSignal.timeout(HANDSHAKE_MS));
      this.#session = session;
    }
    try {
      return [session, await waitFor(session, signal)];
    } catch (error) {
      // This caller gave up: the handshake goes on for the others.
      if (signal?.aborted) throw error;
      if (this.#session === session) this.#session = undefined;
      throw error;
    }
  }

  async #initialize(signal: AbortSignal | undefined): Promise<string | undefined> {
    const headers = this.#rpc.headers();
    const id = this.#rpc.nextId();
    const response = await this.#rpc.post(
      {
        jsonrpc: "2.0",
        id,
        method: "initialize",
        params: {
          protocolVersion: LEGACY_VERSION,
          capabilities: CLIENT_CAPABILITIES,
          clientInfo: CLIENT_INFO,
        },
      },
      headers,
      signal,
    );
    const sessionId = response.headers.get("mcp-session-id") ?? undefined;
    const options = signal === undefined ? {} : { signal };
    const result = unwrap(
      await readAnswer(response, id, options, undefined, this.#rpc.maxMessageBytes),
      response,
    );
    if (typeof result.protocolVersion === "string") this.#version = result.protocolVersion;
    this.#capabilities = asObject(result.capabilities);
    const done = await this.#rpc.post(
      { jsonrpc: "2.0", method: "notifications/initialized" },
      this.#headers(sessionId),
      signal,
    );
    await done.body?.cancel();
    if (!done.ok) {
      throw new UpstreamTransportError("refused", `notifications/initialized answered HTTP ${done.status}`, {
        status: done.status,
      });
    }
    return sessionId;
  }

  /**
   * Answers a server→client request (elicitation, sampling, roots) with the caller's answer. When
   * asking fails (the caller cannot answer, or a 2026-07-28 caller must first be sent
   * `input_required`), the upstream gets a JSON-RPC error so it does not wait, and the failure is
   * rethrown: the call is abandoned (and, for `input_required`, run again on the caller's retry).
   */
  async #answer(
    request: JsonRpcMessage,
    sessionId: string | undefined,
    options: RequestOptions,
  ): Promise<void> {
    const id = request.id ?? null;
    const method = request.method ?? "";
    let result: Json | undefined;
    try {
      result = await options.onRequest?.({ method, params: asObject(request.params) });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = error instanceof Error && error.name !== "InputRequiredSignal" ? error.message : "";
      const reply = {
        code: typeof code === "number" ? code : -32603,
        message: message || "The proxy's caller has not answered yet",
      };
      await this.#notify({ jsonrpc: "2.0", id, error: reply }, sessionId, options.headers);
      throw error;
    }
    await this.#notify(
      result === undefined
        ? { jsonrpc: "2.0", id, error: { code: -32601, message: `The proxy does not forward ${method}` } }
        : { jsonrpc: "2.0", id, result },
      sessionId,
      options.headers,
    );
  }

  /** Sends a message that expects no answer (best effort, 5 s at most), with the caller's headers. */
  async #notify(message: JsonRpcMessage, sessionId: string | undefined, extra?: Headers): Promise<void> {
    try {
      const response = await this.#rpc.post(
        message,
        this.#headers(sessionId, extra),
        AbortSignal.timeout(5000),
      );
      await response.body?.cancel();
    } catch {
      // Best effort.
    }
  }

  /** Request headers within the session: its id (when the upstream gave one) and protocol version. */
  #headers(sessionId: string | undefined, extra?: Headers): Headers {
    const headers = this.#rpc.headers(extra);
    if (sessionId !== undefined) headers.set("Mcp-Session-Id", sessionId);
    headers.set("MCP-Protocol-Version", this.#version);
    return headers;
  }
}
