/**
 * A legacy session on Workers, end to end through the Durable Object: every request is its own
 * invocation, the session's object is evicted (hibernated) while the tool waits for the client's
 * elicitation reply, the client drops its stream and resumes it with Last-Event-ID.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { addTool, createHandler, McpServer } from "@portico/core";
import {
  collectSse,
  initializeBody,
  initializedBody,
  legacyGet,
  legacyPost,
  readJsonRpc,
} from "@portico/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { durableObjectStores } from "../../src/index.ts";
import { invokeWorker, testEnv } from "./_fixtures.ts";
import { serveThroughWorker } from "./worker.ts";

const URL = "http://localhost/mcp";

/** Set by the test, polled by the `polling` tool (plain memory: the tool runs in another invocation). */
const gate = { open: false };

function server(): McpServer {
  const s = new McpServer({ name: "legacy-do", version: "1.0.0" });
  addTool(
    s,
    "polling",
    { description: "Ends its HTTP stream at once, answers once the gate opens" },
    async (_args, ctx) => {
      ctx.closeStream(100);
      while (!gate.open) await new Promise((resolve) => setTimeout(resolve, 10));
      return "answered after the stream was closed";
    },
  );
  addTool(s, "greet", { description: "Elicits a name" }, async (_args, ctx) => {
    await ctx.progress(1, 2, "asking");
    const answer = await ctx.elicit({
      message: "Name?",
      requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    });
    return `Hello, ${String(answer.content?.name)}`;
  });
  return s;
}

function sessionObject(sessionId: string) {
  const ns = testEnv.MCP_SESSIONS;
  return ns.get(ns.idFromName(`session:${sessionId}`));
}

interface Rows {
  records: string[];
  events: number;
}

function rowsOf(sessionId: string): Promise<Rows> {
  return runInDurableObject(sessionObject(sessionId), (_instance, state) => ({
    records: state.storage.sql
      .exec<{ key: string }>("SELECT key FROM portico_records ORDER BY key")
      .toArray()
      .map((row) => row.key),
    events: state.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM portico_events WHERE session = ?", sessionId)
      .one().n,
  }));
}

async function openSession(): Promise<{ sessionId: string; protocolVersion: string }> {
  const init = await invokeWorker(legacyPost(URL, initializeBody(1, { capabilities: { elicitation: {} } })));
  const sessionId = init.headers.get("mcp-session-id") as string;
  expect(sessionId).toMatch(/^[\x21-\x7e]+$/);
  await init.arrayBuffer();
  const opts = { sessionId, protocolVersion: "2025-11-25" };
  expect((await invokeWorker(legacyPost(URL, initializedBody(), opts))).status).toBe(202);
  return opts;
}

describe("legacy session through the Durable Object", () => {
  afterAll(() => serveThroughWorker(undefined));

  it("elicitation reply and Last-Event-ID resume reach the tool across invocations and hibernation", async () => {
    serveThroughWorker(() => createHandler(server(), { stores: durableObjectStores(testEnv.MCP_SESSIONS) }));
    const opts = await openSession();
    const { sessionId } = opts;
    expect((await rowsOf(sessionId)).records).toEqual([`portico:session:${sessionId}`]);

    // The call streams: priming event, progress, then the elicitation request. The client reads up
    // to the request and drops the connection.
    const call = await invokeWorker(
      legacyPost(
        URL,
        {
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name: "greet", _meta: { progressToken: "p" } },
        },
        opts,
      ),
    );
    expect(call.headers.get("content-type")).toContain("text/event-stream");
    const seen = await collectSse(call, {
      until: (e) => "data" in e && e.data.includes("elicitation/create"),
    });
    const elicitation = seen.at(-1) as { id: string; data: string };
    const request = JSON.parse(elicitation.data) as { id: string; method: string };
    expect(request.method).toBe("elicitation/create");
    expect(elicitation.id).toBeTruthy();

    // Everything of the session lives in its object: the record and the stream's events.
    expect((await rowsOf(sessionId)).events).toBeGreaterThanOrEqual(3);

    // The object leaves memory while the tool waits; its subscriber sockets hibernate with it.
    await evictDurableObject(sessionObject(sessionId), { webSockets: "hibernate" });

    // The reply arrives as a new invocation; it is stored in the object's mailbox and wakes the tool.
    const reply = await invokeWorker(
      legacyPost(
        URL,
        { jsonrpc: "2.0", id: request.id, result: { action: "accept", content: { name: "Ada" } } },
        opts,
      ),
    );
    expect(reply.status).toBe(202);

    // The client resumes the dropped stream from the last event it saw and gets the rest.
    const resumed = await invokeWorker(legacyGet(URL, { ...opts, lastEventId: elicitation.id }));
    expect(resumed.status).toBe(200);
    const messages = await readJsonRpc(resumed, { until: (m) => m.id === 7 });
    expect(messages.at(-1)).toMatchObject({
      id: 7,
      result: { content: [{ type: "text", text: "Hello, Ada" }] },
    });

    // The mailbox entry is consumed; only the session record is left.
    await expect
      .poll(async () => (await rowsOf(sessionId)).records)
      .toEqual([`portico:session:${sessionId}`]);
  });

  it("SSE polling: a stream the server ends is resumed, and its final response arrives once the tool answers", async () => {
    serveThroughWorker(() => createHandler(server(), { stores: durableObjectStores(testEnv.MCP_SESSIONS) }));
    const opts = await openSession();
    gate.open = false;
    const call = await invokeWorker(
      legacyPost(URL, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "polling" } }, opts),
    );
    // The stream ends right away: a priming event, then a retry hint.
    const events = await collectSse(call, { allBlocks: true });
    const priming = events[0] as { id: string; data: string };
    expect(priming.data).toBe("");
    expect(events.at(-1)).toMatchObject({ retry: 100 });

    // The client resumes while the tool still works; the tool answers only after that. The answer
    // is appended by the call's invocation, which ends right after: the core's wake-up publish must
    // be kept alive with waitUntil, or Workers cancel it and the resumed stream waits forever.
    const resumed = await invokeWorker(legacyGet(URL, { ...opts, lastEventId: priming.id }));
    expect(resumed.status).toBe(200);
    gate.open = true;
    const messages = await readJsonRpc(resumed, { until: (m) => m.id === 3 });
    expect(messages.at(-1)).toMatchObject({
      id: 3,
      result: { content: [{ text: "answered after the stream was closed" }] },
    });
  });
});
