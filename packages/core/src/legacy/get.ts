/**
 * Legacy era GET and DELETE: the standalone notification stream, `Last-Event-ID` resumption of
 * any stream (from the event store, woken through the bus), and session termination.
 */

import { isResponse } from "@portico/host";
import { principalOf } from "../auth/principal.ts";
import { LongStream } from "../call/long-stream.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import { ErrorCode } from "../errors.ts";
import type { Exchange } from "../http/exchange.ts";
import { httpError } from "../http/responses.ts";
import { checkGetAccept } from "../http/validate.ts";
import { errorMessage, notificationMessage } from "../jsonrpc/messages.ts";
import { topics } from "../stores/keys.ts";
import type { JsonValue, StoredEvent, Subscription } from "../stores/types.ts";
import { randomId } from "../util/encoding.ts";
import { MAX_TIMER_MS } from "../util/timer.ts";
import { release } from "./_admit.ts";
import { inspectLease } from "./_lease.ts";
import { SESSION_HEADER, unsupportedVersion } from "./_request.ts";
import {
  announceStandalone,
  appendEvent,
  closeSession,
  deleteSession,
  lifetimeOf,
  loadSession,
  openSession,
  replayEvents,
  sessionTtl,
  watchServerEvents,
  watchSessionEnd,
  watchStream,
} from "./_session.ts";

async function sessionOf(rt: Runtime, incoming: Incoming): Promise<string | Response> {
  const id = incoming.request.headers.get(SESSION_HEADER);
  if (id === null || id === "") {
    return httpError(400, ErrorCode.SessionRequired, "Bad Request: the Mcp-Session-Id header is required");
  }
  if ((await openSession(rt.stores, id, principalOf(incoming.auth), lifetimeOf(rt))) === undefined) {
    return httpError(404, ErrorCode.SessionNotFound, "Session not found");
  }
  return id;
}

export async function legacyDelete(rt: Runtime, incoming: Incoming): Promise<Response> {
  const id = incoming.request.headers.get(SESSION_HEADER);
  if (id === null || id === "") {
    return httpError(400, ErrorCode.SessionRequired, "Bad Request: the Mcp-Session-Id header is required");
  }
  const refused = unsupportedVersion(incoming.request);
  if (refused !== undefined) return refused;
  // Exactly one of concurrent DELETEs closes the session and gives its places back; the others 404.
  const closed = await closeSession(rt.stores, id, principalOf(incoming.auth));
  if (closed === undefined) return httpError(404, ErrorCode.SessionNotFound, "Session not found");
  // The places first: should deleting the record, its log or telling the instances fail (503), the
  // counts are right already, and a DELETE sent again finishes the rest.
  await release(rt, id, closed);
  await deleteSession(rt.stores, id);
  return new Response(null, { status: 200 });
}

export async function legacyGet(rt: Runtime, incoming: Incoming): Promise<Response> {
  const rejected = checkGetAccept(incoming.request) ?? unsupportedVersion(incoming.request);
  if (rejected) return rejected;
  const id = await sessionOf(rt, incoming);
  if (isResponse(id)) return id;
  const slot = rt.streams.take(id);
  if (slot === undefined) {
    return httpError(
      429,
      ErrorCode.InvalidRequest,
      `Too Many Requests: this session already has ${rt.streams.limit} open streams on this server`,
      { headers: { "retry-after": "5" } },
    );
  }
  try {
    const lastEventId = incoming.request.headers.get("last-event-id");
    if (lastEventId !== null) return await resume(rt, incoming, id, lastEventId, slot);
    return await standalone(rt, incoming, id, `get-${randomId(12)}`, slot);
  } catch (error) {
    await slot.unsubscribe();
    throw error;
  }
}

/** The session's notification stream (list changes, subscribed resource updates). */
async function standalone(
  rt: Runtime,
  incoming: Incoming,
  sessionId: string,
  streamId: string,
  slot: Subscription,
  backlog: StoredEvent[] = [],
): Promise<Response> {
  const stream = new LongStream(
    rt,
    incoming,
    {
      headers: { [SESSION_HEADER]: sessionId },
      persist: (msg) => appendEvent(rt.stores, sessionId, streamId, msg),
      // What a resumed stream missed goes first, ahead of its new priming event and live events:
      // the ids the client sees only grow, so resuming again never skips a missed event.
      backlog,
    },
    (exchange) => exchange.end(undefined, rt.options.retryMs),
  );
  stream.add(slot);
  const exchange = stream.exchange;
  try {
    await feedStandalone(rt, stream, sessionId);
  } catch (error) {
    stream.abandon();
    throw error;
  }
  return exchange.response;
}

/**
 * Subscribes `stream` to what the session's notification stream carries. Of a session's standalone
 * streams only the newest carries it (a client that reconnected while its old stream looked alive,
 * or that opened two): each message goes out once, never on every stream.
 */
async function feedStandalone(rt: Runtime, stream: LongStream, sessionId: string): Promise<void> {
  const exchange = stream.exchange;
  const token = randomId(12);
  let newest = true;
  // The session's end first: a DELETE published while the others subscribe is heard.
  stream.add(
    await watchSessionEnd(
      rt.stores,
      sessionId,
      () => endStream(stream),
      (opened) => {
        newest = opened === token;
      },
    ),
  );
  stream.add(
    await watchServerEvents(rt.stores, (event) => {
      if (!newest) return;
      void forward(rt, sessionId, event, exchange).catch((e) => rt.report(e, "GET stream"));
    }),
  );
  stream.add(
    await rt.stores.bus.subscribe(topics.taskStatus(sessionId), (event) => {
      const task = (event as { task?: Record<string, unknown> } | null)?.task;
      if (task === undefined || !newest) return;
      void exchange
        .send(notificationMessage("notifications/tasks/status", task))
        .catch((e) => rt.report(e, "GET stream"));
    }),
  );
  await announceStandalone(rt.stores, sessionId, token);
  await watchLife(rt, stream, sessionId);
}

/** Ends a long-lived stream of a session that is gone (with a `retry` hint when it may not be). */
function endStream(stream: LongStream, retryMs?: number): void {
  if (stream.ended) return;
  stream.close();
  void stream.exchange.end(undefined, retryMs);
}

/**
 * Ends `stream` when its session is gone: looked at once its subscriptions are in place (a DELETE
 * that came before they were was not heard), then again whenever the session is due to expire —
 * an expiry publishes nothing, and a stream must not outlive the session that counts it — and at
 * least every {@link LIFE_CHECK_MS} (a lost "closed" message). A session in use has slid its expiry
 * by then, and the check waits for the new one.
 */
async function watchLife(rt: Runtime, stream: LongStream, sessionId: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  stream.add({ unsubscribe: async () => clearTimeout(timer) });
  const check = async (): Promise<void> => {
    if (stream.ended) return;
    const session = await loadSession(rt.stores, sessionId);
    const now = Date.now();
    // What is left of it: its record's expiry, or its absolute maximum if that comes first.
    const left =
      session === undefined || session.state.closed === true
        ? 0
        : Math.min(session.expiresAt - now, sessionTtl(session.state, lifetimeOf(rt), now));
    if (left <= 0) return endStream(stream);
    if (stream.ended) return;
    timer = setTimeout(
      () => {
        check().catch((e) => {
          rt.report(e, "GET stream");
          endStream(stream, rt.options.retryMs);
        });
      },
      Math.min(MAX_TIMER_MS, left + EXPIRY_MARGIN_MS, LIFE_CHECK_MS),
    );
  };
  await check();
}

/** How long after its session was due to expire a stream looks again (clocks of store and instance). */
const EXPIRY_MARGIN_MS = 250;

/**
 * The longest a stream goes without looking at its session: the bus delivers at most once, so a
 * DELETE's "closed" message may be lost, and the stream must still end (one read a minute).
 */
const LIFE_CHECK_MS = 60_000;

async function forward(rt: Runtime, sessionId: string, event: JsonValue, exchange: Exchange): Promise<void> {
  const e = event as { type?: string; kind?: string; uri?: string };
  if (e.type === "list_changed" && e.kind) {
    await exchange.send(notificationMessage(`notifications/${e.kind}/list_changed`));
  } else if (e.type === "resource_updated" && typeof e.uri === "string") {
    const session = await loadSession(rt.stores, sessionId);
    if (session?.state.subscriptions.includes(e.uri)) {
      await exchange.send(notificationMessage("notifications/resources/updated", { uri: e.uri }));
    }
  }
}

function isFinalResponse(message: JsonValue): boolean {
  const m = message as Record<string, unknown> | null;
  return m !== null && typeof m === "object" && ("result" in m || "error" in m) && !("method" in m);
}

/** Replays a stream after `lastEventId`, then follows it live until its final response. */
async function resume(
  rt: Runtime,
  incoming: Incoming,
  sessionId: string,
  lastEventId: string,
  slot: Subscription,
): Promise<Response> {
  const first = await replayEvents(rt.stores, sessionId, lastEventId);
  if (first === undefined) {
    await slot.unsubscribe();
    return httpError(400, ErrorCode.InvalidRequest, "Bad Request: unknown Last-Event-ID for this session");
  }
  const { streamId } = first;
  if (streamId.startsWith("get-")) {
    // A standalone stream: replay what was missed, then carry on as a fresh standalone stream.
    return standalone(rt, incoming, sessionId, streamId, slot, first.events);
  }
  if (first.events.length === 0) {
    // Nothing after that event, and no lease: the call's response was the last event (its lease
    // goes once the response is stored). Waiting would wait forever.
    const lease = await inspectLease(
      rt.stores,
      sessionId,
      streamId,
      rt.options.leaseMs,
      lifetimeOf(rt).idleMs,
    );
    if (lease.kind === "taken") await storeOwnerGone(rt, sessionId, streamId, lease.requestId);
    if (lease.kind === "unknown") {
      await slot.unsubscribe();
      return httpError(
        400,
        ErrorCode.InvalidRequest,
        "Bad Request: the stream of this Last-Event-ID has ended; nothing follows that event",
      );
    }
  }
  const stream = new LongStream(rt, incoming, { headers: { [SESSION_HEADER]: sessionId } }, (exchange) =>
    exchange.end(undefined, rt.options.retryMs),
  );
  stream.add(slot);
  try {
    await follow(rt, stream, sessionId, streamId, lastEventId);
  } catch (error) {
    stream.abandon();
    throw error;
  }
  return stream.exchange.response;
}

/** Feeds `stream` with the events of `streamId` after `lastEventId`, live until its final response. */
async function follow(
  rt: Runtime,
  stream: LongStream,
  sessionId: string,
  streamId: string,
  lastEventId: string,
): Promise<void> {
  const exchange = stream.exchange;
  let last = lastEventId;
  let chain = Promise.resolve();
  // Every wake-up re-reads the log after the last event written: a lost wake-up only delays.
  const pump = () => {
    chain = chain
      .then(async () => {
        if (stream.ended) return;
        const batch = await replayEvents(rt.stores, sessionId, last);
        const events = batch?.events ?? [];
        if (events.length === 0) return;
        last = (events[events.length - 1] as StoredEvent).id;
        const end = events.findIndex((event) => isFinalResponse(event.message));
        await exchange.replay(end === -1 ? events : events.slice(0, end + 1));
        if (end !== -1) {
          stream.close();
          await exchange.end();
        }
      })
      .catch((e) => rt.report(e, "stream resume"));
  };
  // The session's end (DELETE, expiry) ends the resumed stream too, as it does the standalone one.
  stream.add(await watchSessionEnd(rt.stores, sessionId, () => endStream(stream)));
  stream.add(await watchStream(rt.stores, sessionId, streamId, pump));
  await watchLife(rt, stream, sessionId);
  pump();
  watchOwner(rt, stream, sessionId, streamId, pump);
}

/** Stores the JSON-RPC error that ends the stream of a call whose instance is gone. */
async function storeOwnerGone(rt: Runtime, sessionId: string, streamId: string, requestId: string | number) {
  const error = errorMessage(requestId, ErrorCode.InternalError, OWNER_GONE);
  await appendEvent(rt.stores, sessionId, streamId, error as unknown as JsonValue);
}

const OWNER_GONE =
  "The server instance serving this request stopped before it finished; send the request again";

/**
 * Watches the owner lease of a resumed call's stream (see _lease.ts): when its instance is gone,
 * the stream's final event becomes a JSON-RPC error (stored, so every resumed copy ends with it).
 * A stream with no lease (its call finished) is read once more, and ends with an error if that
 * still found no final response. Checks every half lease.
 */
function watchOwner(rt: Runtime, stream: LongStream, sessionId: string, streamId: string, pump: () => void) {
  let unknown = false;
  const inspect = async () => {
    if (stream.ended) return;
    const lease = await inspectLease(
      rt.stores,
      sessionId,
      streamId,
      rt.options.leaseMs,
      lifetimeOf(rt).idleMs,
    );
    if (lease.kind === "taken") {
      await storeOwnerGone(rt, sessionId, streamId, lease.requestId);
      pump();
    } else if (lease.kind === "unknown" && unknown) {
      stream.close();
      await stream.exchange.end(errorMessage(null, ErrorCode.InternalError, OWNER_GONE), rt.options.retryMs);
    } else if (lease.kind !== "running") {
      unknown = lease.kind === "unknown";
      pump();
    }
  };
  const timer = setInterval(
    () => void inspect().catch((e) => rt.report(e, "stream owner lease")),
    Math.max(10, Math.floor(rt.options.leaseMs / 2)),
  );
  (timer as { unref?: () => void }).unref?.();
  stream.add({ unsubscribe: async () => clearInterval(timer) });
}
