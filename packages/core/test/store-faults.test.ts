/**
 * Store faults that used to lose or hold something: a client's reply whose bus wake-up is lost still
 * reaches the call waiting for it (its mailbox is polled; a failed wake-up is reported, the reply
 * acknowledged); an initialize whose record cannot be written gives its maxSessions place back; a
 * store call that throws at once is a rejection; a store's Retry-After hint goes out as a whole
 * number of seconds from 1 to a day.
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
import { timedStores } from "../src/stores/timed.ts";
import { legacySession, sseMessages, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";
import { overriding } from "./_stores.ts";

function asking(): { server: McpServer; answers: unknown[] } {
  const server = new McpServer({ name: "f", version: "1" });
  const answers: unknown[] = [];
  addTool(server, "ask", {}, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: "name?",
      requestedSchema: { type: "object", properties: {} },
    });
    answers.push(answer);
    return answer.action;
  });
  return { server, answers };
}

/** Memory stores whose reply wake-ups are dropped (`drop`) or refused (`refuse`). */
function replyWakeUps(mode: "drop" | "refuse"): Stores {
  const inner = memoryStores();
  return overriding(inner, {
    bus: {
      publish: (topic, message) => {
        if (topic.kind !== "reply") return inner.bus.publish(topic, message);
        return mode === "drop" ? Promise.resolve() : Promise.reject(new StoreUnavailableError("bus down"));
      },
    },
  });
}

describe("a client's reply", () => {
  for (const mode of ["drop", "refuse"] as const) {
    it(`reaches the call waiting for it when its wake-up is lost (${mode}): acknowledged 202, nothing lost`, async () => {
      const { server, answers } = asking();
      const reported: string[] = [];
      const handler = createHandler(server, {
        stores: replyWakeUps(mode),
        keepAliveMs: 0,
        onError: (_e, where) => reported.push(where),
      });
      const session = await legacySession(handler, "2025-11-25", { elicitation: {} });
      const call = await session.send({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "ask" },
      });
      const messages = sseMessages(call);
      const asked = (await messages.next()).value as { id: string };
      const reply = await session.send({
        jsonrpc: "2.0",
        id: asked.id,
        result: { action: "accept", content: {} },
      });
      expect(reply.status).toBe(202);
      const final = (await messages.next()).value as { id: number; result?: { content: { text: string }[] } };
      expect(final.result?.content[0]?.text).toBe("accept");
      expect(answers).toStrictEqual([{ action: "accept", content: {} }]);
      expect(reported).toStrictEqual(mode === "refuse" ? ["reply wake-up"] : []);
    });
  }
});

describe("an initialize whose session record cannot be written", () => {
  it("gives its maxSessions place back (503 now, a session once the store answers)", async () => {
    const inner = memoryStores();
    let failing = true;
    const stores = overriding(inner, {
      sessions: {
        create: (key, value, ttl) =>
          failing && key.kind === "session"
            ? Promise.reject(new StoreUnavailableError("down"))
            : inner.sessions.create(key, value, ttl),
      },
    });
    const handler = createHandler(new McpServer({ name: "f", version: "1" }), {
      stores,
      maxSessions: 1,
      onError: () => {},
    });
    for (let i = 0; i < 3; i++)
      expect((await handler.fetch(initializeRequest(URL_, "2025-11-25"))).status).toBe(503);
    failing = false;
    const opened = await handler.fetch(initializeRequest(URL_, "2025-11-25"));
    expect(opened.status).toBe(200);
    expect(opened.headers.get("mcp-session-id")).toBeTruthy();
  });

  it("answers 503, never a session id, when the store says it did not record it", async () => {
    const inner = memoryStores();
    const stores = overriding(inner, {
      sessions: {
        create: (key, value, ttl) =>
          key.kind === "session" ? Promise.resolve(false) : inner.sessions.create(key, value, ttl),
      },
    });
    const handler = createHandler(new McpServer({ name: "f", version: "1" }), { stores, onError: () => {} });
    const answer = await handler.fetch(initializeRequest(URL_, "2025-11-25"));
    expect(answer.status).toBe(503);
    expect(answer.headers.get("mcp-session-id")).toBeNull();
  });
});

describe("store calls", () => {
  it("that throw at once are rejections (with a deadline), and a bus that throws does not undo a definition", async () => {
    const inner = memoryStores();
    const boom = (): never => {
      throw new Error("thrown at once");
    };
    const throwing: Stores = {
      ...inner,
      sessions: { get: boom, create: boom, update: boom, delete: boom },
      bus: { publish: boom, subscribe: boom },
    };
    const timed = timedStores(throwing, 1000);
    const got = timed.sessions.get({ kind: "session", session: "x" });
    expect(got).toBeInstanceOf(Promise);
    await expect(got).rejects.toThrow("thrown at once");
    const server = new McpServer({ name: "f", version: "1" });
    const reported: string[] = [];
    createHandler(server, {
      stores: throwing,
      storeTimeoutMs: 0,
      onError: (_e, where) => reported.push(where),
    });
    addTool(server, "late", {}, () => "x");
    expect(server.registry("tools").has("late")).toBe(true);
    expect(reported).toStrictEqual(["bus publish"]);
  });

  it("give Retry-After as a whole number of seconds from 1 to a day, whatever the store's hint", async () => {
    for (const [hint, header] of [
      [Number.NaN, "1"],
      [Number.POSITIVE_INFINITY, "1"],
      [-5, "1"],
      [2.2, "3"],
      [1e12, "86400"],
    ] as const) {
      const inner = memoryStores();
      const stores = overriding(inner, {
        sessions: {
          get: () => Promise.reject(new StoreUnavailableError("down", { retryAfterSeconds: hint })),
        },
      });
      const handler = createHandler(new McpServer({ name: "f", version: "1" }), {
        stores,
        onError: () => {},
      });
      const answer = await handler.fetch(
        new Request(URL_, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-session-id": "s",
            "mcp-protocol-version": "2025-11-25",
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        }),
      );
      expect(answer.status, String(hint)).toBe(503);
      expect(answer.headers.get("retry-after"), String(hint)).toBe(header);
    }
  });
});
