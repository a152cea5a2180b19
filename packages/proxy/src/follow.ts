/**
 * Following an HTTP upstream's changes on a long-lived stream, reconnected with backoff (1 s, then
 * doubling up to 30 s; back to 1 s once a stream opens) until `stop()`:
 *
 * - legacy era: the session's standalone GET stream (`Last-Event-ID` when the upstream numbers its
 *   events); a 405 means the upstream offers none, and following stops quietly;
 * - modern era: `subscriptions/listen` for the three list changes and the resource URIs to watch;
 *   a -32601 answer (no such method) stops following quietly.
 *
 * A transport upstream needs none of this: its notifications arrive on the transport.
 */

import { UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import { asObject, type Json } from "./json.ts";
import type { LegacySession } from "./legacy.ts";
import { modernRequest } from "./modern.ts";
import { ReplyLimit } from "./reply-limit.ts";
import type { JsonRpcMessage, RpcChannel } from "./rpc.ts";
import { readSse } from "./sse.ts";

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
export interface FollowHandlers {
  /** A notification of the upstream (list changes, resource updates, …). */
  onNotification(notification: { method: string; params: Json }): void;
  /**
   * A stream opened: changes may have been missed before it (the first: since the listing made
   * before following; a later one: while it was down).
   */
  onOpen(first: boolean): void;
  /** A failure to open or read the stream (it is retried). */
  onError(error: unknown): void;
}

export interface Follower {
  /** Ends the stream and the reconnecting; resolves when nothing is left running. */
  stop(): Promise<void>;
  /** Opens the stream again at once (a modern upstream: the resource URIs to watch changed). */
  restart(): void;
}

/** One stream: resolves when it ends (reconnect), `"stop"` when following should stop for good. */
type Attempt = (signal: AbortSignal, opened: () => void) => Promise<"stop" | undefined>;

function reconnecting(attempt: Attempt, handlers: FollowHandlers): Follower {
  const stopping = new AbortController();
  let current: AbortController | undefined;
  const done = (async () => {
    let first = true;
    let delay = MIN_DELAY_MS;
    while (!stopping.signal.aborted) {
      const self = new AbortController();
      current = self;
      const opened = () => {
        delay = MIN_DELAY_MS;
        handlers.onOpen(first);
        first = false;
      };
      try {
        if ((await attempt(AbortSignal.any([stopping.signal, self.signal]), opened)) === "stop") return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        if (!self.signal.aborted) handlers.onError(error);
      }
      if (self.signal.aborted) continue;
      await sleep(delay, stopping.signal);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await done;
    },
    restart: () => current?.abort(),
  };
}

/** Waits `ms`, or less when `signal` aborts; leaves no timer behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      signal.removeEventListener("abort", finish);
      resolve();
    }
    signal.addEventListener("abort", finish, { once: true });
  });
}

/** The legacy session's GET stream. */
export function followLegacy(session: LegacySession, handlers: FollowHandlers): Follower {
  let lastEventId: string | undefined;
  const replies = new ReplyLimit((error) => handlers.onError(error));
  return reconnecting(async (signal, opened) => {
    const response = await session.openStream(signal, lastEventId);
    const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (response.status === 405) {
      await response.body?.cancel();
      return "stop";
    }
    if (!response.ok || type !== "text/event-stream" || response.body === null) {
      await response.body?.cancel();
      throw new UpstreamTransportError("refused", `the GET stream answered HTTP ${response.status}`, {
        status: response.status,
      });
    }
    opened();
    for await (const event of readSse(response.body, session.maxMessageBytes, signal)) {
      if (event.id !== undefined && event.id !== "") lastEventId = event.id;
      if (event.data.trim() === "") continue;
      let message: JsonRpcMessage;
      try {
        message = JSON.parse(event.data) as JsonRpcMessage;
      } catch (error) {
        handlers.onError(
          new UpstreamTransportError("protocol", "the GET stream sent invalid JSON", { cause: error }),
        );
        continue;
      }
      if (typeof message.method !== "string") continue;
      if (message.id === undefined || message.id === null) {
        handlers.onNotification({ method: message.method, params: asObject(message.params) });
      } else {
        const { id, method } = message;
        // No call waits on this stream: only a ping can be answered.
        replies.run(() =>
          session.reply(
            method === "ping"
              ? { jsonrpc: "2.0", id, result: {} }
              : {
                  jsonrpc: "2.0",
                  id,
                  error: { code: -32601, message: `The proxy does not answer ${method} outside a call` },
                },
          ),
        );
      }
    }
    return undefined;
  }, handlers);
}

/** A modern upstream's `subscriptions/listen`; `uris()` are the resources to watch (if any). */
export function followModern(
  rpc: RpcChannel,
  handlers: FollowHandlers,
  uris: () => readonly string[] | undefined,
): Follower & { urisChanged(): void } {
  let sent = "";
  const follower = reconnecting(async (signal, opened) => {
    const watched = uris();
    sent = JSON.stringify(watched ?? []);
    const notifications: Json = {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
    };
    if (watched !== undefined && watched.length > 0) notifications.resourceSubscriptions = [...watched];
    try {
      await modernRequest(
        rpc,
        "subscriptions/listen",
        { notifications },
        {
          signal,
          onNotification: (notification) => {
            if (notification.method === "notifications/subscriptions/acknowledged") opened();
            else handlers.onNotification(notification);
          },
        },
      );
    } catch (error) {
      if (error instanceof UpstreamRpcError && error.code === -32601) return "stop";
      if (error instanceof UpstreamTransportError && (error.status === 404 || error.status === 405))
        return "stop";
      throw error;
    }
    // The upstream ended the subscription (its shutdown): listen again.
    return undefined;
  }, handlers);
  return {
    ...follower,
    urisChanged: () => {
      if (JSON.stringify(uris() ?? []) !== sent) follower.restart();
    },
  };
}
