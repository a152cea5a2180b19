/**
 * One request's way back to the client. It answers plain JSON unless something must be sent
 * before the final response (progress, logs, server→client requests): the first such message
 * turns the answer into an SSE stream. Legacy sessions persist every event for `Last-Event-ID`.
 */

import { PorticoError } from "../errors.ts";
import type { JsonRpcMessage } from "../jsonrpc/messages.ts";
import type { JsonValue } from "../stores/types.ts";
import { writableJson } from "../util/writable-json.ts";
import { SSE_HEADERS, SseWriter } from "./_sse.ts";
import { jsonResponse, unwritable } from "./responses.ts";

export interface ExchangeOptions {
  keepAliveMs: number;
  /** `false`: the host cannot stream, so messages before the final response are dropped. */
  canStream?: boolean;
  /** Extra response headers (e.g. `Mcp-Session-Id`). */
  headers?: Record<string, string>;
  /** Persists an event (`null` = priming event) and returns its SSE id; legacy sessions only. */
  persist?: (message: JsonValue | null) => Promise<string>;
  /** Answer with a stream from the start (long-lived streams). */
  forceStream?: boolean;
  /**
   * Stored events to write first, with their ids, before this stream's priming event and anything
   * sent: a resumed stream's missed events come ahead of everything newer.
   */
  backlog?: readonly { id: string; message: unknown }[];
  /** `retry` hint sent with the priming event of a persisted stream. */
  primingRetryMs?: number;
  /** The client cancelled the stream. */
  onClientGone?: () => void;
}

/**
 * Notifications one answer may have waiting for a client that reads slower than they come (a tool
 * that logs in a loop without awaiting, say); beyond it, more are dropped. Progress does not count:
 * a newer progress notification takes the place of a waiting one with the same token.
 */
export const MAX_WAITING_NOTIFICATIONS = 1000;

/** What `onError` is told when an answer dropped `count` notifications. */
export function droppedNotifications(count: number): PorticoError {
  return new PorticoError(
    "notifications_dropped",
    `${count} notification(s) were dropped: ${MAX_WAITING_NOTIFICATIONS} were already waiting for the client (un-awaited ctx.log in a loop?)`,
  );
}

/** A progress notification waiting its turn (replaced by a newer one for its token). */
interface WaitingProgress {
  message: JsonRpcMessage;
  sent: Promise<void>;
}

/** The token of a progress notification, else `undefined`. */
function progressToken(message: JsonRpcMessage): unknown {
  if ((message as { method?: unknown }).method !== "notifications/progress") return undefined;
  return (message as { params?: { progressToken?: unknown } }).params?.progressToken;
}

export class Exchange {
  readonly response: Promise<Response>;
  #resolve!: (response: Response) => void;
  #mode: "pending" | "json" | "sse" = "pending";
  #writer: SseWriter | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #detached = false;
  /** The final response, a failure or the end was given: later messages have nowhere to go. */
  #finished = false;
  /** Messages queued whose turn has not come yet. */
  #waiting = 0;
  /** Progress notifications queued whose turn has not come yet, by token. */
  #progress: Map<unknown, WaitingProgress> | undefined;
  #dropped = 0;
  #onStream: (() => void) | undefined;
  readonly #options: ExchangeOptions;

  constructor(options: ExchangeOptions) {
    this.#options = options;
    this.response = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    if (options.forceStream) this.#startStream();
  }

  /** True once answering with SSE. */
  get streaming(): boolean {
    return this.#mode === "sse";
  }

  /** Notifications dropped so far because {@link MAX_WAITING_NOTIFICATIONS} were waiting. */
  get dropped(): number {
    return this.#dropped;
  }

  /** True while a client is attached to the live stream. */
  get attached(): boolean {
    return this.#mode === "sse" && !this.#detached && this.#writer?.closed === false;
  }

  /** Runs `callback` once the answer becomes a stream (at once if it already is). */
  whenStreaming(callback: () => void): void {
    if (this.#mode === "sse") callback();
    else this.#onStream = callback;
  }

  /**
   * Sends a message ahead of the final response (switches to SSE). After the final response it is
   * a no-op: nothing is written or stored (a late `ctx.log` from a tool that already returned).
   */
  send(message: JsonRpcMessage): Promise<void> {
    if (this.#finished) return Promise.resolve();
    if (this.#mode === "pending") {
      if (this.#options.canStream === false) return Promise.resolve();
      this.#startStream();
    }
    const token = progressToken(message);
    if (token !== undefined) return this.#sendProgress(token, message);
    if (this.#waiting >= MAX_WAITING_NOTIFICATIONS && !("id" in message)) {
      // A request (elicitation, sampling) is awaited by its sender, so never piles up: only
      // notifications are dropped.
      this.#dropped++;
      return Promise.resolve();
    }
    return this.#enqueue(message);
  }

  /** Queues a progress notification, or puts it in the place of the waiting one for its token. */
  #sendProgress(token: unknown, message: JsonRpcMessage): Promise<void> {
    const waiting = this.#progress?.get(token);
    if (waiting !== undefined) {
      waiting.message = message;
      return waiting.sent;
    }
    const progress = { message } as WaitingProgress;
    this.#progress ??= new Map();
    this.#progress.set(token, progress);
    progress.sent = this.#enqueue(() => {
      this.#progress?.delete(token);
      return progress.message;
    });
    return progress.sent;
  }

  /** Writes events that are already stored (a resumed stream's backlog) without storing them again. */
  replay(events: readonly { id: string; message: unknown }[]): Promise<void> {
    if (this.#mode === "pending") this.#startStream();
    const next = this.#queue.then(async () => {
      for (const event of events) {
        if (event.message === null || this.#writer === undefined || this.#writer.closed) continue;
        await this.#writer.write({ id: event.id, data: JSON.stringify(event.message) });
      }
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  /**
   * Sends the final response and ends the exchange. The stream closes whatever happens: when the
   * store refuses the final event, the live client still gets the response (without an event id,
   * so it cannot be replayed) and the failure is rethrown for `onError`.
   */
  async complete(message: JsonRpcMessage): Promise<void> {
    this.#finished = true;
    if (this.#mode === "pending") {
      this.#mode = "json";
      let response: Response;
      try {
        response = jsonResponse(message, 200, this.#options.headers);
      } catch (error) {
        // Not JSON (a BigInt, a cycle, nesting too deep): the client still gets an answer.
        this.#resolve(jsonResponse(unwritable(message), 200, this.#options.headers));
        throw error;
      }
      this.#resolve(response);
      return;
    }
    try {
      await this.#enqueue(message);
    } catch (error) {
      if (writableJson(message)) await this.#writeLive(message);
      else {
        const answer = unwritable(message);
        await this.#enqueue(answer).catch(() => this.#writeLive(answer));
      }
      throw error;
    } finally {
      this.#writer?.close();
    }
  }

  /** Answers with a ready response (errors before anything was streamed). */
  fail(response: Response): void {
    if (this.#mode !== "pending") return;
    this.#finished = true;
    this.#mode = "json";
    this.#resolve(response);
  }

  /**
   * Closes the live HTTP stream with a `retry` hint but keeps persisting events, so the client
   * resumes with `Last-Event-ID` (SSE polling). No-op without persistence.
   */
  detach(retryMs: number): void {
    if (this.#options.persist === undefined) return;
    if (this.#mode === "pending") this.#startStream();
    this.#queue = this.#queue.then(async () => {
      if (this.#writer !== undefined && !this.#writer.closed) {
        await this.#writer.retry(retryMs);
        this.#writer.close();
      }
      this.#detached = true;
    });
  }

  /**
   * Ends a stream without a final response (shutdown of long-lived streams), with a `retry` hint
   * when given. The stream closes even when storing `last` fails (then rethrown).
   */
  async end(last?: JsonRpcMessage, retryMs?: number): Promise<void> {
    this.#finished = true;
    if (this.#mode === "pending") this.#startStream();
    try {
      if (last !== undefined) {
        await this.#enqueue(last).catch(async (error: unknown) => {
          await this.#writeLive(last);
          throw error;
        });
      }
      await this.#queue;
    } finally {
      if (retryMs !== undefined) await this.#writer?.retry(retryMs).catch(() => false);
      this.#writer?.close();
    }
  }

  /** Writes `message` to the live stream only (no event id); never throws. */
  async #writeLive(message: JsonRpcMessage): Promise<void> {
    const writer = this.#writer;
    if (writer === undefined || writer.closed || this.#detached) return;
    await writer.write({ data: JSON.stringify(message) }).catch(() => false);
  }

  #startStream(): void {
    this.#mode = "sse";
    this.#writer = new SseWriter({
      keepAliveMs: this.#options.keepAliveMs,
      onCancel: () => {
        if (!this.#detached) this.#options.onClientGone?.();
      },
    });
    this.#resolve(
      new Response(this.#writer.readable, {
        status: 200,
        headers: { ...SSE_HEADERS, ...this.#options.headers },
      }),
    );
    const backlog = this.#options.backlog;
    if (backlog !== undefined && backlog.length > 0) this.replay(backlog).catch(() => {});
    if (this.#options.persist !== undefined) this.#enqueue(null).catch(() => {});
    this.#onStream?.();
  }

  /** Queues `message` (or what `latest()` gives when its turn comes) after everything queued. */
  #enqueue(queued: JsonRpcMessage | null | (() => JsonRpcMessage)): Promise<void> {
    this.#waiting++;
    const next = this.#queue.then(async () => {
      this.#waiting--;
      const message = typeof queued === "function" ? queued() : queued;
      const id = this.#options.persist ? await this.#options.persist(message as JsonValue | null) : undefined;
      const writer = this.#writer;
      if (writer === undefined || writer.closed || this.#detached) return;
      const data = message === null ? "" : JSON.stringify(message);
      const retry = message === null ? this.#options.primingRetryMs : undefined;
      await writer.write({
        data,
        ...(id === undefined ? {} : { id }),
        ...(retry === undefined ? {} : { retry }),
      });
    });
    this.#queue = next.catch(() => {});
    return next;
  }
}
