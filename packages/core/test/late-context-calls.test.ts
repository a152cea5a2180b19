/**
 * `ctx.log` and `ctx.progress` called after the answer was given (a tool that returned and logs a
 * moment later): a no-op in either era and either kind of answer — never an error thrown into the
 * tool, never a stored event after the final response, never an owner lease left beating.
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  type HandlerContext,
  McpServer,
  memoryStores,
  type Stores,
} from "../src/index.ts";
import { legacySession, modern } from "./_client.ts";

/** Memory stores counting owner-lease writes (records and heartbeats) and appended events. */
function counting(): { stores: Stores; leaseWrites: () => number; appends: () => number } {
  const stores = memoryStores();
  let leaseWrites = 0;
  let appends = 0;
  const { create, update } = stores.sessions;
  stores.sessions.create = (key, value, ttl) => {
    if (key.kind === "lease") leaseWrites++;
    return create.call(stores.sessions, key, value, ttl);
  };
  stores.sessions.update = (key, version, value, ttl) => {
    if (key.kind === "lease") leaseWrites++;
    return update.call(stores.sessions, key, version, value, ttl);
  };
  const append = stores.events.append.bind(stores.events);
  stores.events.append = (session, stream, message) => {
    appends++;
    return append(session, stream, message);
  };
  return { stores, leaseWrites: () => leaseWrites, appends: () => appends };
}

/**
 * A server whose `late` tool (optionally after one log, which streams its answer) returns at once,
 * then logs and reports progress 5 ms later; `settled` resolves with what those late calls did.
 */
function server(streamFirst: boolean) {
  let settle!: (outcome: string[]) => void;
  const settled = new Promise<string[]>((resolve) => {
    settle = resolve;
  });
  const s = new McpServer({ name: "late", version: "1" });
  addTool(s, "late", {}, async (_args, ctx: HandlerContext) => {
    if (streamFirst) await ctx.log("info", "before the answer");
    setTimeout(() => {
      const outcome = (p: Promise<void>) =>
        p.then(
          () => "resolved",
          (e: Error) => `rejected: ${e.message}`,
        );
      void Promise.all([outcome(ctx.log("info", "late")), outcome(ctx.progress(1, 2))]).then(settle);
    }, 5);
    return "ok";
  });
  return { server: s, settled };
}

const progress = { _meta: { progressToken: "p1" } };

describe("ctx.log / ctx.progress after the answer", () => {
  it("legacy JSON answer: resolve, store nothing, start no owner lease", async () => {
    const { server: s, settled } = server(false);
    const { stores, leaseWrites, appends } = counting();
    const reported: unknown[] = [];
    const h = createHandler(s, { stores, leaseMs: 30, onError: (e) => reported.push(e) });
    const session = await legacySession(h);
    const answer = await session.call("tools/call", { name: "late", arguments: {}, ...progress });
    expect(answer.contentType).toContain("application/json");
    expect(answer.final.result.content[0].text).toBe("ok");
    expect(await settled).toStrictEqual(["resolved", "resolved"]);
    // Whatever the late calls started has had time to write (a lease beats every 10 ms here).
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(leaseWrites()).toBe(0);
    expect(appends()).toBe(0);
    expect(reported).toStrictEqual([]);
  });

  it("legacy SSE answer that has ended: resolve, and store no event after the final response", async () => {
    const { server: s, settled } = server(true);
    const { stores, appends } = counting();
    const reported: unknown[] = [];
    const h = createHandler(s, { stores, leaseMs: 30, onError: (e) => reported.push(e) });
    const session = await legacySession(h);
    const answer = await session.call("tools/call", { name: "late", arguments: {}, ...progress });
    expect(answer.contentType).toContain("text/event-stream");
    expect(answer.final.result.content[0].text).toBe("ok");
    const stored = appends(); // priming event, the log, the final response
    expect(await settled).toStrictEqual(["resolved", "resolved"]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(appends()).toBe(stored);
    expect(reported).toStrictEqual([]);
  });

  it("modern era: resolve and send nothing", async () => {
    const { server: s, settled } = server(false);
    const reported: unknown[] = [];
    const h = createHandler(s, { onError: (e) => reported.push(e) });
    const answer = await modern(h, "tools/call", { name: "late", arguments: {}, ...progress });
    expect(answer.final.result.content[0].text).toBe("ok");
    expect(await settled).toStrictEqual(["resolved", "resolved"]);
    expect(reported).toStrictEqual([]);
  });
});

describe("a streamed legacy call whose owner lease is recorded only after it returned", () => {
  it("stops that lease even when its final response cannot be stored", async () => {
    const { stores, leaseWrites } = counting();
    // The lease record takes a while, so the call has returned when it is made.
    const create = stores.sessions.create;
    stores.sessions.create = async (key, value, ttl) => {
      if (key.kind === "lease") await new Promise((resolve) => setTimeout(resolve, 20));
      return create.call(stores.sessions, key, value, ttl);
    };
    // …and the final response's event is refused.
    const append = stores.events.append.bind(stores.events);
    stores.events.append = async (session, stream, message) => {
      if (message !== null && "result" in (message as object)) throw new Error("event store refused");
      return append(session, stream, message);
    };
    const s = new McpServer({ name: "race", version: "1" });
    addTool(s, "quick", {}, (_args, ctx) => {
      void ctx.log("info", "not awaited");
      return "ok";
    });
    const reported: unknown[] = [];
    const h = createHandler(s, { stores, leaseMs: 30, onError: (e) => reported.push(e) });
    const session = await legacySession(h);
    const answer = await session.call("tools/call", { name: "quick", arguments: {} });
    expect(answer.final.result.content[0].text).toBe("ok");
    expect(reported).toHaveLength(1); // the refused final event
    const written = leaseWrites();
    // Ten lease periods: a lease left beating would write about thirty times.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(leaseWrites()).toBe(written);
  });
});
