/**
 * Every stream ends, whatever the store does: a legacy call whose events the store refuses, or
 * stops answering, still delivers its result to the live client and closes its stream within a
 * bounded time; a store that hangs makes requests fail with 503 + Retry-After, not wait forever.
 */

import { shutdownReason } from "@portico/host";
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  McpServer,
  memoryStores,
  type Stores,
  StoreUnavailableError,
} from "../src/index.ts";
import { legacySession } from "./_client.ts";

type Mode = "ok" | "fail" | "hang";

/** Memory stores whose `events.append` (after the switch) fails or never answers. */
function faultyStores(): { stores: Stores; mode: { append: Mode; get: Mode } } {
  const inner = memoryStores();
  const mode: { append: Mode; get: Mode } = { append: "ok", get: "ok" };
  const act = <T>(m: Mode, work: () => Promise<T>): Promise<T> =>
    m === "ok" ? work() : m === "fail" ? Promise.reject(new Error("store down")) : new Promise<T>(() => {});
  return {
    mode,
    stores: {
      bus: inner.bus,
      sessions: {
        get: (key) => act(mode.get, () => inner.sessions.get(key)),
        create: (key, value, ttl) => inner.sessions.create(key, value, ttl),
        update: (key, version, value, ttl) => inner.sessions.update(key, version, value, ttl),
        delete: (key) => inner.sessions.delete(key),
      },
      events: {
        append: (session, stream, message) =>
          act(mode.append, () => inner.events.append(session, stream, message)),
        replay: (session, last) => inner.events.replay(session, last),
        trim: (session, stream) => inner.events.trim(session, stream),
      },
    },
  };
}

function server(gate: { release?: () => void }) {
  const s = new McpServer({ name: "faults", version: "1" });
  addTool(s, "slow", {}, async (_args, ctx) => {
    await ctx.progress(1, 2);
    await new Promise<void>((resolve) => {
      gate.release = resolve;
    });
    return "finished";
  });
  return s;
}

/** Reads a whole SSE body, failing the test if it is still open after `ms`. */
async function readWithin(response: Response, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stream still open after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([response.text(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("a store fault during a streamed legacy call", () => {
  for (const fault of ["fail", "hang"] as const) {
    it(`ends the stream with the result when the final event's write ${fault === "fail" ? "fails" : "hangs"}`, async () => {
      const { stores, mode } = faultyStores();
      const errors: unknown[] = [];
      const gate: { release?: () => void } = {};
      const handler = createHandler(server(gate), {
        stores,
        storeTimeoutMs: 300,
        keepAliveMs: 50,
        onError: (e) => void errors.push(e),
      });
      const session = await legacySession(handler);
      const response = await session.send({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "slow", arguments: {}, _meta: { progressToken: "p" } },
      });
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      // The store breaks while the tool runs; then the tool finishes.
      while (gate.release === undefined) await new Promise((r) => setTimeout(r, 5));
      mode.append = fault;
      gate.release();
      const text = await readWithin(response, 3000);
      expect(text).toContain('"finished"');
      expect(text).toContain('"id":7');
      expect(errors.length).toBeGreaterThan(0);
    });
  }
});

describe("a store that stops answering", () => {
  it("makes a legacy request fail with 503 + Retry-After within the store timeout", async () => {
    const { stores, mode } = faultyStores();
    const handler = createHandler(server({}), { stores, storeTimeoutMs: 200, onError: () => {} });
    const session = await legacySession(handler);
    mode.get = "hang";
    const started = Date.now();
    const answer = await session.call("tools/list");
    expect(answer.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(answer.final.error.message).toMatch(/session storage is unreachable/);
  });
});

describe("a store outage inside a legacy method", () => {
  it("answers 503 + Retry-After (not a 200 with an internal error) when the method's store write fails", async () => {
    const inner = memoryStores();
    let down = false;
    const stores: Stores = {
      bus: inner.bus,
      events: inner.events,
      sessions: {
        get: (key) => inner.sessions.get(key),
        create: (key, value, ttl) => inner.sessions.create(key, value, ttl),
        update: (key, version, value, ttl) =>
          down
            ? Promise.reject(new StoreUnavailableError("down"))
            : inner.sessions.update(key, version, value, ttl),
        delete: (key) => inner.sessions.delete(key),
      },
    };
    const handler = createHandler(server({}), { stores, onError: () => {} });
    const session = await legacySession(handler);
    down = true;
    const answer = await session.send({
      jsonrpc: "2.0",
      id: 3,
      method: "logging/setLevel",
      params: { level: "info" },
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("1");
  });
});

/** A legacy `tools/call` of the `wait` tool in session `sessionId`. */
function callWait(sessionId: string): Request {
  return new Request("http://127.0.0.1/mcp", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-session-id": sessionId,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 9,
      method: "tools/call",
      params: { name: "wait", arguments: {} },
    }),
  });
}

describe("the host's shutdown signal", () => {
  it("aborts a running tool's ctx.signal, so a long call ends with an answer", async () => {
    const s = new McpServer({ name: "shutdown", version: "1" });
    addTool(s, "wait", {}, async (_args, ctx) => {
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      return `stopped: ${(ctx.signal.reason as Error).name}`;
    });
    const handler = createHandler(s);
    const shutdown = new AbortController();
    const session = await legacySession(handler);
    const pending = handler.fetch(callWait(session.sessionId), undefined, { signal: shutdown.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    shutdown.abort();
    const text = await readWithin(await pending, 2000);
    expect(text).toContain("stopped: AbortError");
  });

  it("with a grace deadline, lets the call run until deadline − deadlineMarginMs, then aborts it", async () => {
    const s = new McpServer({ name: "grace", version: "1" });
    let abortedAt = 0;
    addTool(s, "wait", {}, async (_args, ctx) => {
      await new Promise<void>((resolve) =>
        ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
      );
      abortedAt = Date.now();
      return "stopped";
    });
    const handler = createHandler(s, { deadlineMarginMs: 100 });
    const shutdown = new AbortController();
    const session = await legacySession(handler);
    const pending = handler.fetch(callWait(session.sessionId), undefined, { signal: shutdown.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const signalledAt = Date.now();
    shutdown.abort(shutdownReason(signalledAt + 600));
    expect(await readWithin(await pending, 3000)).toContain("stopped");
    // Aborted about 500 ms after the shutdown began (600 ms grace − 100 ms margin), not at once.
    expect(abortedAt - signalledAt).toBeGreaterThanOrEqual(400);
    expect(abortedAt - signalledAt).toBeLessThan(1500);
  });
});
