/**
 * Legacy era GET and DELETE: the standalone notification stream, `Last-Event-ID` resumption of
 * any stream (from the event store, woken through the bus), and session termination.
 */
import { randomId } from "../util/encoding.ts";
import { Exchange } from "../http/exchange.ts";
import { httpError } from "../http/responses.ts";
import { notificationMessage } from "../jsonrpc/messages.ts";
import { type Incoming, type Runtime, whenToEnd } from "../call/runtime.ts";
import { deleteSession, loadSession, topics } from "./session.ts";
import { SSE_HEADERS, SseWriter } from "../http/sse.ts";
import { checkGetAccept } from "../http/validate.ts";
import { ErrorCode } from "../errors.ts";
import type { JsonValue, StoredEvent, Subscription } from "../stores/types.ts";

const SESSION_HEADER = "mcp-session-id";

async function sessionOf(rt: Runtime, request: Request): Promise<string | Response> {
  const id = request.headers.get(SESSION_HEADER);
  if (id === null || id === "") {
    return httpError(400, ErrorCode.SessionRequired, "Bad Request: the Mcp-Session-Id header is required");
  }
  if ((await loadSession(rt.stores, id)) === undefined) {
    return httpError(404, ErrorCode.SessionNotFound, "Session not found");
  }
  return id;
}

export async function legacyDelete(rt: Runtime, incoming: Incoming): Promise<Response> {
  const id = await sessionOf(rt, incoming.request);
  if (id instanceof Response) return id;
  await deleteSession(rt.stores, id);
  return new Response(null, { status: 200 });
}

export async function legacyGet(rt: Runtime, incoming: Incoming): Promise<Response> {
  const rejected = checkGetAccept(incoming.request);
  if (rejected) return rejected;
  const id = await sessionOf(rt, incoming.request);
  if (id instanceof Response) return id;
  const lastEventId = incoming.request.headers.get("last-event-id");
  if (lastEventId !== null) return resume(rt, incoming, id, lastEventId);
  return standalone(rt, incoming, id, `get-${randomId(12)}`);
}

/** The session's notification stream (list changes, subscribed resource updates). */
async function standalone(
  rt: Runtime,
  incoming: Incoming,
  sessionId: string,
  streamId: string,
  backlog: StoredEvent[] = [],
): Promise<Response> {
  const subs: Subscription[] = [];
  let stop: () => void = () => {};
  const cleanup = () => {
    stop();
    for (const s of subs.splice(0)) void s.unsubscribe();
  };
  const exchange = new Exchange({
    keepAliveMs: rt.options.keepAliveMs,
    headers: { [SESSION_HEADER]: sessionId },
    forceStream: true,
    persist: (msg) => rt.stores.events.append(sessionId, streamId, msg),
    onClientGone: cleanup,
  });
  const finish = () => {
    cleanup();
    void exchange.end(undefined, rt.options.retryMs);
  };
  subs.push(
    await rt.stores.bus.subscribe(topics.broadcast, (event) => {
      void forward(rt, sessionId, event, exchange).catch((e) => rt.report(e, "GET stream"));
    }),
  );
  subs.push(
    await rt.stores.bus.subscribe(topics.session(sessionId), (event) => {
      const e = event as { type?: string; message?: JsonValue };
      if (e.type === "closed") {
        cleanup();
        void exchange.end();
      }
    }),
  );
  stop = whenToEnd(rt, incoming, finish);
  if (backlog.length > 0) void exchange.replay(backlog).catch((e) => rt.report(e, "GET stream replay"));
  return exchange.response;
}

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

/** Replays a stream after `lastEventId`, then follows it live until its final response. */
async function resume(
  rt: Runtime,
  incoming: Incoming,
  sessionId: string,
  lastEventId: string,
): Promise<Response> {
  const first = await rt.stores.events.replay(sessionId, lastEventId);
  if (first === undefined) {
    return httpError(400, ErrorCode.InvalidRequest, "Bad Request: unknown Last-Event-ID for this session");
  }
  const { streamId } = first;
  if (streamId.startsWith("get-")) {
    // A standalone stream: replay what was missed, then carry on as a fresh standalone stream.
    return standalone(rt, incoming, sessionId, streamId, first.events);
  }
  let last = lastEventId;
  let done = false;
  let sub: Subscription | undefined;
  let stop: () => void = () => {};
  const writer = new SseWriter({
    keepAliveMs: rt.options.keepAliveMs,
    onCancel: () => {
      done = true;
      stop();
      void sub?.unsubscribe();
    },
  });
  let chain = Promise.resolve();
  const pump = () => {
    chain = chain
      .then(async () => {
        if (done) return;
        const batch = await rt.stores.events.replay(sessionId, last);
        for (const event of batch?.events ?? []) {
          last = event.id;
          if (event.message === null) continue;
          await writer.write({ id: event.id, data: JSON.stringify(event.message) });
          const m = event.message as Record<string, unknown>;
          if (("result" in m || "error" in m) && !("method" in m)) {
            done = true;
            stop();
            void sub?.unsubscribe();
            writer.close();
            return;
          }
        }
      })
      .catch((e) => rt.report(e, "stream resume"));
  };
  sub = await rt.stores.bus.subscribe(topics.stream(sessionId, streamId), pump);
  stop = whenToEnd(rt, incoming, () => {
    done = true;
    void sub?.unsubscribe();
    void writer.retry(rt.options.retryMs).then(() => writer.close());
  });
  pump();
  return new Response(writer.readable, {
    status: 200,
    headers: { ...SSE_HEADERS, [SESSION_HEADER]: sessionId },
  });
}
