/**
 * A legacy session's end reaches everything it holds: concurrent DELETEs close it once (its
 * places in the counts given back once), a DELETE ends its calls that wait for the client's reply,
 * and its GET streams end when it is deleted — also while they subscribe — or when it expires.
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
import { legacySession, sseMessages, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";
import { overriding } from "./_stores.ts";

const del = (handler: ReturnType<typeof createHandler>, id: string) =>
  handler.fetch(new Request(URL_, { method: "DELETE", headers: { "mcp-session-id": id } }));
const get = (handler: ReturnType<typeof createHandler>, id: string) =>
  handler.fetch(
    new Request(URL_, {
      method: "GET",
      headers: { accept: "text/event-stream", "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" },
    }),
  );

/** Asks the client for a name: how that ended ("answered", or "rejected: <why>"). */
const askName = (ctx: Parameters<Parameters<typeof addTool>[3]>[1]) =>
  ctx.elicit({ message: "name?", requestedSchema: { type: "object", properties: {} } }).then(
    () => "answered",
    (e: Error) => `rejected: ${e.message}`,
  );

/** Resolves with how the body ended ("ended"), or "open" if it had not within `ms`. */
async function endsWithin(response: Response, ms: number): Promise<"ended" | "open"> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) {
      await reader.cancel();
      return "open";
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const step = await Promise.race([
      reader.read(),
      new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), left);
      }),
    ]);
    clearTimeout(timer);
    if (step === "late") {
      await reader.cancel();
      return "open";
    }
    if (step.done) return "ended";
  }
}

describe("the end of a legacy session", () => {
  it("is one DELETE's: of ten at once one closes it (200), nine find none (404), and maxSessions counts it freed once", async () => {
    const handler = createHandler(new McpServer({ name: "d", version: "1" }), { maxSessions: 3 });
    const open = async () => (await legacySession(handler)).sessionId;
    const [first] = [await open(), await open(), await open()];
    expect((await handler.fetch(initializeRequest(URL_, "2025-11-25"))).status).toBe(503);
    const answers = await Promise.all(Array.from({ length: 10 }, () => del(handler, first as string)));
    expect(answers.map((r) => r.status).toSorted()).toStrictEqual([200, ...Array(9).fill(404)]);
    // One place came back, not ten.
    expect((await handler.fetch(initializeRequest(URL_, "2025-11-25"))).status).toBe(200);
    expect((await handler.fetch(initializeRequest(URL_, "2025-11-25"))).status).toBe(503);
  });

  it("ends a call waiting for the client's reply when its session is deleted (no 5-minute wait, no orphaned mailbox)", async () => {
    const server = new McpServer({ name: "d", version: "1" });
    let outcome: string | undefined;
    addTool(server, "ask", {}, async (_args, ctx) => {
      outcome = await askName(ctx);
      return outcome;
    });
    const stores = memoryStores();
    const handler = createHandler(server, { stores, keepAliveMs: 0 });
    const session = await legacySession(handler, "2025-11-25", { elicitation: {} });
    const call = await session.send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "ask" } });
    const messages = sseMessages(call);
    const asked = (await messages.next()).value as { method?: string; id?: string };
    expect(asked.method).toBe("elicitation/create");
    const started = Date.now();
    expect((await del(handler, session.sessionId)).status).toBe(200);
    for await (const _ of messages) {
      // the rest of the answer, until it ends
    }
    expect(Date.now() - started).toBeLessThan(2000);
    expect(outcome).toBe("rejected: session closed");
    // The mailbox of the request the client never answered is gone.
    const mailbox = await stores.sessions.get({
      kind: "reply",
      session: session.sessionId,
      id: String(asked.id),
    });
    expect(mailbox).toBeUndefined();
  });

  it("ends a streaming call when its session is deleted (within a lease heartbeat)", async () => {
    const server = new McpServer({ name: "d", version: "1" });
    let ticks = 0;
    let reason: string | undefined;
    addTool(server, "long", {}, async (_args, ctx) => {
      for (let i = 0; i < 100 && !ctx.signal.aborted; i++) {
        await ctx.log("info", `tick ${i}`);
        ticks = i;
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      reason = ctx.signal.aborted ? String((ctx.signal.reason as Error).message) : undefined;
      return "stopped";
    });
    const stores = memoryStores();
    const handler = createHandler(server, { stores, keepAliveMs: 0, leaseMs: 300 });
    const session = await legacySession(handler);
    await session.call("logging/setLevel", { level: "debug" });
    const call = await session.send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "long" },
    });
    const messages = sseMessages(call);
    await messages.next();
    expect((await del(handler, session.sessionId)).status).toBe(200);
    const atDelete = ticks;
    for await (const _ of messages) {
      // the rest of the answer, until it ends
    }
    expect(reason).toBe("session closed");
    // A beat is a third of the lease (100 ms): the tool (a tick per 30 ms) ran a few ticks more, not 100.
    expect(ticks - atDelete).toBeLessThan(20);
  });

  it("gives its places back even when the DELETE fails midway (503), and a DELETE sent again ends its streams", async () => {
    const stores = memoryStores();
    let refuse = true;
    const faulty = overriding(stores, {
      bus: {
        publish: (topic, message) =>
          refuse && topic.kind === "session" && (message as { type?: string }).type === "closed"
            ? Promise.reject(new StoreUnavailableError("bus down"))
            : stores.bus.publish(topic, message),
      },
    });
    const handler = createHandler(new McpServer({ name: "d", version: "1" }), {
      stores: faulty,
      maxSessions: 1,
      onError: () => {},
    });
    const session = await legacySession(handler);
    const stream = await get(handler, session.sessionId);
    expect((await del(handler, session.sessionId)).status).toBe(503);
    // Its place in maxSessions is free already.
    const other = await handler.fetch(initializeRequest(URL_, "2025-11-25"));
    expect(other.status).toBe(200);
    refuse = false;
    expect((await del(handler, session.sessionId)).status).toBe(404);
    expect(await endsWithin(stream, 2000)).toBe("ended");
  });

  it("refuses to ask for input in a session deleted before the call first looked", async () => {
    const server = new McpServer({ name: "d", version: "1" });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let outcome: string | undefined;
    addTool(server, "late", {}, async (_args, ctx) => {
      await gate;
      outcome = await askName(ctx);
      return outcome;
    });
    const handler = createHandler(server, { keepAliveMs: 0 });
    const session = await legacySession(handler, "2025-11-25", { elicitation: {} });
    const answer = session.send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "late" } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await del(handler, session.sessionId)).status).toBe(200);
    release();
    await (await answer).text();
    expect(outcome).toBe("rejected: The session was closed: the client cannot be asked for input");
  });

  it("ends its GET stream when it expires (an expiry publishes nothing)", async () => {
    const handler = createHandler(new McpServer({ name: "d", version: "1" }), { sessionTtlMs: 400 });
    const session = await legacySession(handler);
    const stream = await get(handler, session.sessionId);
    expect(stream.status).toBe(200);
    expect(await endsWithin(stream, 3000)).toBe("ended");
  });

  it("ends a GET stream whose session was deleted while the stream subscribed", async () => {
    const stores = memoryStores();
    let hold: Promise<void> | undefined;
    let arrived: () => void = () => {};
    const subscribing = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    // The stream's subscriptions wait here (a slow bus) until the DELETE has gone through.
    const slow: Stores = {
      ...stores,
      bus: {
        publish: (topic, message) => stores.bus.publish(topic, message),
        subscribe: async (topic, onMessage) => {
          if (hold !== undefined && topic.kind !== "session") {
            arrived();
            await hold;
          }
          return stores.bus.subscribe(topic, onMessage);
        },
      },
    };
    const handler = createHandler(new McpServer({ name: "d", version: "1" }), { stores: slow });
    const session = await legacySession(handler);
    let go: () => void = () => {};
    hold = new Promise<void>((resolve) => {
      go = resolve;
    });
    const opening = get(handler, session.sessionId);
    await subscribing;
    hold = undefined;
    expect((await del(handler, session.sessionId)).status).toBe(200);
    go();
    const stream = await opening;
    expect(await endsWithin(stream, 2000)).toBe("ended");
  });

  it("keeps a GET stream of a session in use past its first expiry", async () => {
    const handler = createHandler(new McpServer({ name: "d", version: "1" }), { sessionTtlMs: 600 });
    const session = await legacySession(handler);
    const stream = await get(handler, session.sessionId);
    let endedAt: number | undefined;
    const drained = stream.text().then(() => {
      endedAt = Date.now();
    });
    // Used every 100 ms for 1.5 s: its expiry slides (written back once half the lifetime has passed).
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      await (await session.send({ jsonrpc: "2.0", id: 9, method: "ping" })).text();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(endedAt).toBeUndefined();
    const idleFrom = Date.now();
    await drained;
    // Left alone, it expires within its lifetime (plus the check's margin).
    expect((endedAt as number) - idleFrom).toBeLessThan(2000);
  });
});

describe("a streamed call's owner lease", () => {
  it("refused by the store is reported, and recorded with the call's next event (the stream goes on meanwhile)", async () => {
    const stores = memoryStores();
    let refusals = 1;
    const leases: string[] = [];
    const faulty = overriding(stores, {
      sessions: {
        create: (key, value, ttl) => {
          if (key.kind === "lease") {
            if (refusals-- > 0) return Promise.reject(new StoreUnavailableError("down"));
            leases.push(key.kind);
          }
          return stores.sessions.create(key, value, ttl);
        },
      },
    });
    const server = new McpServer({ name: "d", version: "1" });
    addTool(server, "steps", {}, async (_args, ctx) => {
      await ctx.progress(1, 2);
      await ctx.progress(2, 2);
      return "done";
    });
    const reported: string[] = [];
    const handler = createHandler(server, {
      stores: faulty,
      keepAliveMs: 0,
      onError: (_e, where) => reported.push(where),
    });
    const session = await legacySession(handler);
    const call = await session.send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "steps", _meta: { progressToken: "p" } },
    });
    const text = await call.text();
    expect(text).toMatch(/"progress":1/);
    expect(text).toMatch(/"result":\{"content":\[\{"type":"text","text":"done"\}\]/);
    expect(reported).toStrictEqual(["stream lease"]);
    expect(leases).toStrictEqual(["lease"]);
  });
});
