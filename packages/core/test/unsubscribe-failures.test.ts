/**
 * A bus whose `unsubscribe` fails (the store went down while a stream was open): the failure goes
 * to `onError`, never becomes an unhandled rejection (which ends a Node process), for the legacy
 * GET stream, `subscriptions/listen`, and the wait for a client's reply.
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
import { listenRequest } from "./_requests.ts";
import { unhandledRejections } from "./_unhandled.ts";

/** Memory stores whose bus unsubscribes, then says it failed; `live` counts subscriptions held. */
function failingUnsubscribe(): { stores: Stores; live: () => number } {
  const stores = memoryStores();
  let live = 0;
  const subscribe = stores.bus.subscribe.bind(stores.bus);
  stores.bus.subscribe = async (topic, onMessage) => {
    const sub = await subscribe(topic, onMessage);
    live++;
    return {
      unsubscribe: async () => {
        live--;
        await sub.unsubscribe();
        throw new StoreUnavailableError("injected: bus.unsubscribe failed");
      },
    };
  };
  return { stores, live: () => live };
}

const unhandled = unhandledRejections();

/** Waits (at most 2 s) until `done()`, then a little more for any unhandled rejection to surface. */
async function settle(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

function server() {
  const s = new McpServer({ name: "t", version: "1" });
  addTool(s, "noop", {}, () => "ok");
  addTool(s, "ask", {}, async (_args, ctx) => {
    const answer = await ctx
      .elicit({ message: "q", requestedSchema: { type: "object", properties: {} } })
      .then((r) => r.action);
    return `answered ${answer}`;
  });
  return s;
}

describe("a bus unsubscribe that fails", () => {
  it("when the client closes a legacy GET stream: reported to onError, not unhandled", async () => {
    const { stores, live } = failingUnsubscribe();
    const reported: { error: unknown; where: string }[] = [];
    const h = createHandler(server(), { stores, onError: (error, where) => reported.push({ error, where }) });
    const session = await legacySession(h);
    const res = await h.fetch(
      new Request(URL_, {
        headers: {
          accept: "text/event-stream",
          "mcp-session-id": session.sessionId,
          "mcp-protocol-version": "2025-11-25",
        },
      }),
    );
    expect(res.status).toBe(200);
    const held = live();
    expect(held).toBeGreaterThan(0);
    await res.body?.cancel();
    await settle(() => reported.length >= held);
    expect(unhandled).toStrictEqual([]);
    expect(live()).toBe(0);
    expect(reported).toHaveLength(held);
    for (const r of reported) expect(r.error).toBeInstanceOf(StoreUnavailableError);
  });

  it("when the client closes a subscriptions/listen stream: reported to onError, not unhandled", async () => {
    const { stores, live } = failingUnsubscribe();
    const reported: unknown[] = [];
    const h = createHandler(server(), { stores, onError: (error) => reported.push(error) });
    const res = await h.fetch(listenRequest(URL_, { toolsListChanged: true }));
    expect(res.status).toBe(200);
    expect(live()).toBe(1);
    await res.body?.cancel();
    await settle(() => reported.length >= 1);
    expect(unhandled).toStrictEqual([]);
    expect(live()).toBe(0);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(StoreUnavailableError);
  });

  it("when the wait for a client's reply ends: reported to onError, not unhandled, and the call answers", async () => {
    const { stores, live } = failingUnsubscribe();
    const reported: unknown[] = [];
    const h = createHandler(server(), {
      stores,
      replyTimeoutMs: 50,
      keepAliveMs: 0,
      onError: (error) => reported.push(error),
    });
    const session = await legacySession(h, "2025-11-25", { elicitation: {} });
    const answer = await session.call("tools/call", { name: "ask", arguments: {} }, { id: 7 });
    expect(answer.messages.some((m) => m.method === "elicitation/create")).toBe(true);
    expect(answer.final.id).toBe(7);
    await settle(() => reported.some((e) => e instanceof StoreUnavailableError));
    expect(unhandled).toStrictEqual([]);
    expect(live()).toBe(0);
    expect(reported.some((e) => e instanceof StoreUnavailableError)).toBe(true);
  });
});
