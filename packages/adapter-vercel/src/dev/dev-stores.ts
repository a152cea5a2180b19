import {
  type Bus,
  type EventStore,
  type JsonValue,
  type RateLimitStore,
  type SessionStore,
  type StoredEvent,
  type StoredRecord,
  type StoreKey,
  type Stores,
  StoreUnavailableError,
  type Subscription,
  type TokenTake,
} from "@portico/core";
import type { CallBody, StoreName, SubscribeBody } from "./_wire.ts";

/** Options of {@link devStores}. */
export interface DevStoresOptions {
  /**
   * The server's bearer token (`DevStoresServer.token`). Default: the `PORTICO_DEV_STORES_TOKEN`
   * environment variable, which `startVercelDev` sets next to `PORTICO_DEV_STORES_URL`.
   */
  token?: string;
  /** Told about subscribers that throw and subscriptions that break. Default: `console.error`. */
  onError?: (error: unknown) => void;
}

function unavailable(cause: unknown): StoreUnavailableError {
  return new StoreUnavailableError("the dev store server is unreachable", { cause });
}

/** POSTs `body` as JSON; a network failure becomes a {@link StoreUnavailableError}. */
async function post(
  url: string,
  token: string | undefined,
  body: CallBody | SubscribeBody,
  signal?: AbortSignal,
): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method: "POST", headers, body: JSON.stringify(body) };
  if (signal) init.signal = signal;
  try {
    return await fetch(url, init);
  } catch (error) {
    throw unavailable(error);
  }
}

/**
 * Stores that live in another process: the memory stores held by `serveDevStores` (same machine),
 * reached over HTTP with `fetch`. They let every process share sessions, event logs, the bus and rate-limit buckets
 * where a dev server runs each request in a fresh process (`vercel dev`). `url` is the server's
 * origin (`DevStoresServer.url`); every request carries its bearer token (`options.token`). For
 * local development and tests only: production uses a durable store (Redis, DynamoDB).
 */
export function devStores(url: string | URL, options: DevStoresOptions = {}): Stores {
  const base = String(url).replace(/\/+$/, "");
  const onError = options.onError ?? ((error: unknown) => console.error("[portico dev stores]", error));
  const token = options.token ?? process.env.PORTICO_DEV_STORES_TOKEN;

  async function call<T>(store: StoreName, op: string, args: unknown[]): Promise<T> {
    const response = await post(`${base}/call`, token, { store, op, args });
    const answer = (await response.json().catch(() => ({}))) as { result?: T; error?: string };
    if (!response.ok) throw new Error(`dev store ${store}.${op} failed: ${answer.error ?? response.status}`);
    return answer.result as T;
  }

  const sessions: SessionStore = {
    get: (key) => call<StoredRecord | undefined>("sessions", "get", [key]),
    create: (key, value, ttlMs) => call<boolean>("sessions", "create", [key, value, ttlMs]),
    update: (key, version, value, ttlMs) => call<boolean>("sessions", "update", [key, version, value, ttlMs]),
    delete: (key) => call<void>("sessions", "delete", [key]),
  };
  const events: EventStore = {
    append: (sessionId, streamId, message) =>
      call<string>("events", "append", [sessionId, streamId, message]),
    replay: (sessionId, lastEventId) =>
      call<{ streamId: string; events: StoredEvent[] } | undefined>("events", "replay", [
        sessionId,
        lastEventId,
      ]),
    trim: (sessionId, streamId) =>
      call<void>("events", "trim", streamId === undefined ? [sessionId] : [sessionId, streamId]),
  };
  const bus: Bus = {
    publish: (topic, message) => call<void>("bus", "publish", [topic, message]),
    subscribe: (topic, onMessage) => subscribe(base, token, topic, onMessage, onError),
  };
  const limits: RateLimitStore = { take: (key, bucket) => call<TokenTake>("limits", "take", [key, bucket]) };
  return { sessions, events, bus, limits };
}

/** Opens the NDJSON subscription stream; resolves once the server confirms it is subscribed. */
async function subscribe(
  base: string,
  token: string | undefined,
  topic: StoreKey,
  onMessage: (message: JsonValue) => void,
  onError: (error: unknown) => void,
): Promise<Subscription> {
  const controller = new AbortController();
  const response = await post(`${base}/subscribe`, token, { topic }, controller.signal);
  if (!response.ok || response.body === null) throw unavailable(new Error(`HTTP ${response.status}`));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  /** The next complete line, or `undefined` at the end of the stream. */
  async function nextLine(): Promise<string | undefined> {
    for (;;) {
      const newline = buffer.indexOf("\n");
      if (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        return line;
      }
      const { done, value } = await reader.read();
      if (done) return undefined;
      buffer += value;
    }
  }
  const ready = await nextLine().catch(() => undefined);
  if (ready === undefined) throw unavailable(new Error("the subscription stream ended at once"));
  void (async () => {
    for (;;) {
      const line = await nextLine();
      if (line === undefined || controller.signal.aborted) return;
      const { message } = JSON.parse(line) as { message: JsonValue };
      try {
        onMessage(message);
      } catch (error) {
        onError(error);
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) onError(error);
  });
  return {
    async unsubscribe() {
      controller.abort();
    },
  };
}
