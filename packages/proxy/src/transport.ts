/**
 * The legacy era (2025-11-25) over a message transport (stdio, or any client transport of the
 * official SDK): `initialize` then `notifications/initialized`, requests matched to answers by id,
 * `notifications/cancelled` when a request is aborted, and every pending request failed as a
 * transport error when the transport closes.
 *
 * A transport carries no request association: progress goes to the call whose `progressToken` it
 * carries; server→client requests (elicitation, sampling, roots) and log messages go to the one call
 * in flight, when exactly one is. Otherwise such a request gets a JSON-RPC error and a log message
 * goes to `onNotification` (the operator's log), as do list changes and resource updates.
 */

import { UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import { asObject, isObject, type Json } from "./json.ts";
import { CLIENT_CAPABILITIES, LEGACY_VERSION } from "./legacy.ts";
import { ReplyLimit } from "./reply-limit.ts";
import { abortError, CLIENT_INFO, type JsonRpcMessage, type RequestOptions } from "./rpc.ts";

/**
 * A message-level transport, shaped like the `Transport` of the official TypeScript SDK, so its
 * `StdioClientTransport` (or any of its client transports) can be passed as is. `proxy()` sets the
 * three handlers before calling `start()`.
 */
export interface ProxyTransport {
  start(): Promise<void>;
  send(message: TransportMessage): Promise<void>;
  close(): Promise<void>;
  onmessage?(message: TransportMessage): void;
  onclose?(): void;
  onerror?(error: Error): void;
}

/** One JSON-RPC message (request, notification or answer), as a transport carries it. */
export interface TransportMessage {
  jsonrpc?: string | undefined;
  id?: string | number | null | undefined;
  method?: string | undefined;
  params?: Record<string, unknown> | undefined;
  result?: Record<string, unknown> | undefined;
  error?: { code: number; message: string; data?: unknown } | undefined;
}

interface Pending {
  id: number;
  options: RequestOptions;
  progressToken: unknown;
  resolve(result: Json): void;
  reject(error: unknown): void;
}

/** A notification outside any call (list changes, resource updates, unrouted log messages). */
export type Notification = { method: string; params: Json };

export class TransportSession {
  readonly #transport: ProxyTransport;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** The upstream's requests being answered (a few at once; others are dropped). */
  readonly #replies = new ReplyLimit((error) => this.onError?.(error));
  #capabilities: Json = {};
  /** Set once the transport closed (or `close()` was called): every later request fails with it. */
  #closed: UpstreamTransportError | undefined;
  /** Notifications that belong to no call. */
  onNotification: ((notification: Notification) => void) | undefined;
  /** Transport errors that fail no request (an unparsable line), for the operator's log. */
  onError: ((error: unknown) => void) | undefined;

  constructor(transport: ProxyTransport) {
    this.#transport = transport;
  }

  get capabilities(): Json {
    return this.#capabilities;
  }

  /** Starts the transport and the session. */
  async start(signal: AbortSignal | undefined): Promise<void> {
    const transport = this.#transport;
    // Handlers through locals: V8 makes a function literal assigned straight to a property in its
    // old generation, keeping what it closes over past young collections.
    const onmessage = (message: TransportMessage) => this.#receive(message);
    const onclose = () =>
      this.#fail(new UpstreamTransportError("unreachable", "the upstream transport closed"));
    const onerror = (error: Error) => this.onError?.(error);
    transport.onmessage = onmessage;
    transport.onclose = onclose;
    transport.onerror = onerror;
    try {
      await transport.start();
    } catch (error) {
      throw new UpstreamTransportError("unreachable", `the transport did not start: ${String(error)}`, {
        cause: error,
      });
    }
    const result = await this.request(
      "initialize",
      { protocolVersion: LEGACY_VERSION, capabilities: CLIENT_CAPABILITIES, clientInfo: CLIENT_INFO },
      { signal },
    );
    this.#capabilities = asObject(result.capabilities);
    await this.#send({ jsonrpc: "2.0", method: "notifications/initialized" });
  }

  /** Sends one request and waits for its answer (or the signal, or the transport closing). */
  request(method: string, params: Json, options: RequestOptions): Promise<Json> {
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const id = this.#nextId++;
    return new Promise<Json>((resolve, reject) => {
      const onAbort = () => {
        if (!this.#pending.delete(id)) return;
        void this.#send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id } });
        reject(abortError(signal as AbortSignal));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle = () => signal?.removeEventListener("abort", onAbort);
      this.#pending.set(id, {
        id,
        options,
        progressToken: asObject(params._meta).progressToken,
        resolve: (result) => {
          settle();
          resolve(result);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
      this.#transport.send({ jsonrpc: "2.0", id, method, params }).catch((error: unknown) => {
        const pending = this.#pending.get(id);
        if (pending === undefined) return;
        this.#pending.delete(id);
        pending.reject(new UpstreamTransportError("unreachable", `sending failed: ${String(error)}`));
      });
    });
  }

  /** Sends a notification (or an answer); a failure is the operator's to see, not the caller's. */
  async notify(message: JsonRpcMessage): Promise<void> {
    await this.#send(message);
  }

  /** Fails what is pending and closes the transport. */
  async close(): Promise<void> {
    if (this.#closed === undefined) {
      this.#fail(new UpstreamTransportError("unreachable", "the proxy was closed"));
    }
    try {
      await this.#transport.close();
    } catch (error) {
      this.onError?.(error);
    }
  }

  async #send(message: JsonRpcMessage): Promise<void> {
    if (this.#closed !== undefined) return;
    try {
      await this.#transport.send(message);
    } catch (error) {
      this.onError?.(error);
    }
  }

  #fail(error: UpstreamTransportError): void {
    this.#closed ??= error;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(this.#closed);
  }

  /** The calls of callers in flight (listing and subscribing are not calls). */
  #calls(): Pending[] {
    return [...this.#pending.values()].filter((p) => p.options.onRequest !== undefined);
  }

  #receive(raw: unknown): void {
    if (!isObject(raw)) {
      this.onError?.(new UpstreamTransportError("protocol", "a message that is not a JSON object"));
      return;
    }
    const message = raw as JsonRpcMessage;
    const method = message.method;
    if (typeof method !== "string") {
      this.#settle(message);
      return;
    }
    const params = asObject(message.params);
    if (message.id !== undefined && message.id !== null) {
      const id = message.id;
      this.#replies.run(() => this.#answer(id, method, params));
      return;
    }
    if (method === "notifications/progress") {
      const token = params.progressToken;
      for (const p of this.#pending.values()) {
        if (token !== undefined && p.progressToken === token) p.options.onNotification?.({ method, params });
      }
      return;
    }
    const calls = this.#calls();
    const one = calls.length === 1 ? calls[0] : undefined;
    if (method === "notifications/message" && one?.options.onNotification !== undefined) {
      one.options.onNotification({ method, params });
      return;
    }
    this.onNotification?.({ method, params });
  }

  /** An answer: the pending request's result, or its JSON-RPC error thrown. */
  #settle(message: JsonRpcMessage): void {
    const pending = typeof message.id === "number" ? this.#pending.get(message.id) : undefined;
    if (pending === undefined) return;
    this.#pending.delete(pending.id);
    const error = message.error;
    if (isObject(error)) {
      const code = typeof error.code === "number" ? error.code : -32603;
      const text = typeof error.message === "string" ? error.message : "Upstream error";
      pending.reject(new UpstreamRpcError(code, text, error.data));
    } else if (isObject(message.result)) {
      pending.resolve(message.result);
    } else {
      pending.reject(new UpstreamTransportError("protocol", "the answer carries no result"));
    }
  }

  /**
   * A server→client request: `ping` is answered at once; an input request is asked of the one call
   * in flight (a failure to ask abandons that call, as over HTTP); with no call or several, the
   * upstream gets a JSON-RPC error.
   */
  async #answer(id: string | number, method: string, params: Json): Promise<void> {
    if (method === "ping") {
      await this.#send({ jsonrpc: "2.0", id, result: {} });
      return;
    }
    const calls = this.#calls();
    const call = calls.length === 1 ? calls[0] : undefined;
    if (call === undefined) {
      const message =
        calls.length === 0
          ? `The proxy has no call in flight to forward ${method} to`
          : `The proxy cannot tell which of its calls ${method} is for`;
      await this.#send({ jsonrpc: "2.0", id, error: { code: -32603, message } });
      return;
    }
    let result: Json | undefined;
    try {
      result = await call.options.onRequest?.({ method, params });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const text = error instanceof Error && error.name !== "InputRequiredSignal" ? error.message : "";
      await this.#send({
        jsonrpc: "2.0",
        id,
        error: {
          code: typeof code === "number" ? code : -32603,
          message: text || "The proxy's caller has not answered yet",
        },
      });
      // The call is abandoned: the upstream is told, and the caller gets the failure.
      if (this.#pending.delete(call.id)) {
        await this.#send({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: call.id },
        });
        call.reject(error);
      }
      return;
    }
    await this.#send(
      result === undefined
        ? { jsonrpc: "2.0", id, error: { code: -32601, message: `The proxy does not forward ${method}` } }
        : { jsonrpc: "2.0", id, result },
    );
  }
}
