/**
 * A legacy GET stream (fresh or resumed with `Last-Event-ID`) whose bus subscribe fails part-way:
 * the client gets a 503 JSON-RPC error, and everything the stream had already taken — its
 * subscriptions, its place among the session's streams, its listeners on the host's shutdown
 * signal — is given back.
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  McpServer,
  memoryStores,
  type Stores,
  StoreUnavailableError,
} from "../src/index.ts";
import { legacySession, URL_ } from "./_client.ts";

/** Memory stores whose bus refuses `session`-topic subscriptions while `fault.on`; `live` counts held ones. */
function faultyBus() {
  const stores: Stores = memoryStores();
  const fault = { on: true };
  let live = 0;
  const subscribe = stores.bus.subscribe.bind(stores.bus);
  stores.bus.subscribe = async (topic, onMessage) => {
    if (fault.on && topic.kind === "session")
      throw new StoreUnavailableError("injected: bus.subscribe failed");
    const sub = await subscribe(topic, onMessage);
    live++;
    return {
      unsubscribe: async () => {
        live--;
        await sub.unsubscribe();
      },
    };
  };
  return { stores, fault, live: () => live };
}

/** A host shutdown signal counting the listeners added to it and not removed. */
function countedSignal() {
  const controller = new AbortController();
  const signal = controller.signal;
  let listeners = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    if (args[0] === "abort") listeners++;
    add(...args);
  }) as typeof add;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    if (args[0] === "abort") listeners--;
    remove(...args);
  }) as typeof remove;
  return { signal, listeners: () => listeners };
}

function get(sessionId: string, lastEventId?: string): Request {
  return new Request(URL_, {
    headers: {
      accept: "text/event-stream",
      "mcp-session-id": sessionId,
      "mcp-protocol-version": "2025-11-25",
      ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
    },
  });
}

function server() {
  const s = new McpServer({ name: "t", version: "1" });
  addTool(s, "streamed", {}, async (_args, ctx) => {
    await ctx.log("info", "one");
    return "done";
  });
  return s;
}

async function expect503(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  const body = await response.json();
  expect(body.error.code).toBe(-32603);
  expect(JSON.stringify(body)).not.toContain("injected");
}

describe("a legacy GET stream whose bus subscribe fails", () => {
  it("answers 503 and holds no subscription, stream place or shutdown listener afterwards", async () => {
    const { stores, fault, live } = faultyBus();
    const reported: unknown[] = [];
    const h = createHandler(server(), {
      stores,
      maxStreamsPerSession: 1,
      onError: (e) => reported.push(e),
    });
    const session = await legacySession(h);
    const shutdown = countedSignal();
    for (let i = 0; i < 3; i++) await expect503(await h.fetch(get(session.sessionId), undefined, shutdown));
    expect(live()).toBe(0);
    expect(shutdown.listeners()).toBe(0);
    expect(reported.length).toBeGreaterThan(0);
    for (const e of reported) expect(e).toBeInstanceOf(StoreUnavailableError);
    // The session's one stream place is free again.
    fault.on = false;
    const open = await h.fetch(get(session.sessionId));
    expect(open.status).toBe(200);
    await open.body?.cancel();
  });

  it("resumed with Last-Event-ID: answers 503 and holds no subscription or shutdown listener afterwards", async () => {
    const { stores, live } = faultyBus();
    const h = createHandler(server(), { stores, maxStreamsPerSession: 1, onError: () => {} });
    const session = await legacySession(h);
    const call = await session.send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "streamed", arguments: {} },
    });
    expect(call.headers.get("content-type")).toContain("text/event-stream");
    const firstId = /^id: (\S+)$/m.exec(await call.text())?.[1];
    expect(firstId).toBeDefined();
    const shutdown = countedSignal();
    for (let i = 0; i < 3; i++)
      await expect503(await h.fetch(get(session.sessionId, firstId), undefined, shutdown));
    expect(live()).toBe(0);
    expect(shutdown.listeners()).toBe(0);
  });
});
