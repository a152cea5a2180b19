/**
 * Owner leases on streamed legacy calls: a client resuming (`Last-Event-ID`, on another instance)
 * the stream of a call whose instance died gets a JSON-RPC error within a bounded time, never an
 * endless wait; a call that finishes normally ends every resumed copy with its result.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer, memoryStores, type Stores } from "../src/index.ts";
import { URL_ } from "./_client.ts";
import { ACCEPT_BOTH, initializeRequest } from "./_requests.ts";

const LEASE_MS = 300;

/** Shared memory stores as seen by one instance; `kill()` makes every later call of it hang. */
function instanceView(shared: Stores) {
  let dead = false;
  const hang = <T>(work: () => Promise<T>): Promise<T> => (dead ? new Promise<T>(() => {}) : work());
  const stores: Stores = {
    sessions: {
      get: (k) => hang(() => shared.sessions.get(k)),
      create: (k, v, t) => hang(() => shared.sessions.create(k, v, t)),
      update: (k, ver, v, t) => hang(() => shared.sessions.update(k, ver, v, t)),
      delete: (k) => hang(() => shared.sessions.delete(k)),
    },
    events: {
      append: (s, st, m) => hang(() => shared.events.append(s, st, m)),
      replay: (s, l) => hang(() => shared.events.replay(s, l)),
      trim: (s, st) => hang(() => shared.events.trim(s, st)),
    },
    bus: {
      publish: (t, m) => hang(() => shared.bus.publish(t, m)),
      subscribe: (t, on) => hang(() => shared.bus.subscribe(t, on)),
    },
  };
  return {
    stores,
    kill: () => {
      dead = true;
    },
  };
}

function server(finish: { now?: () => void }) {
  const s = new McpServer({ name: "leases", version: "1" });
  addTool(s, "long", {}, async (_args, ctx) => {
    await ctx.progress(1, 2);
    await new Promise<void>((resolve) => {
      finish.now = resolve;
    });
    return "long done";
  });
  return s;
}

async function firstEventId(response: Response): Promise<{ id: string; rest: ReadableStreamDefaultReader }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error("stream ended before an event with an id");
    text += decoder.decode(value, { stream: true });
    const match = /id: (\S+)\n(?:retry: \d+\n)?data: \{/.exec(text);
    if (match) return { id: match[1] as string, rest: reader };
  }
}

async function readAllWithin(response: Response, ms: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      response.text(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`resumed stream still open after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function setup(leaseMs = LEASE_MS) {
  const shared = memoryStores();
  const a = instanceView(shared);
  const finish: { now?: () => void } = {};
  const options = { leaseMs, keepAliveMs: 50, storeTimeoutMs: 0, onError: () => {} };
  const first = createHandler(server(finish), { ...options, stores: a.stores });
  const second = createHandler(server({}), { ...options, stores: shared });
  const init = await first.fetch(initializeRequest(URL_, "2025-11-25"));
  const sessionId = init.headers.get("mcp-session-id") as string;
  const headers = { "content-type": "application/json", accept: ACCEPT_BOTH, "mcp-session-id": sessionId };
  const call = await first.fetch(
    new Request(URL_, {
      method: "POST",
      headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 42,
        method: "tools/call",
        params: { name: "long", arguments: {}, _meta: { progressToken: "p" } },
      }),
    }),
  );
  const { id, rest } = await firstEventId(call);
  const resume = () =>
    second.fetch(
      new Request(URL_, {
        headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "last-event-id": id },
      }),
    );
  return { a, finish, rest, resume };
}

describe("a resumed stream whose call's instance died", () => {
  it("ends with a JSON-RPC error for the request within lease + half a lease (+ slack)", async () => {
    const { a, rest, resume } = await setup();
    a.kill(); // the instance vanishes: no more heartbeats, no final answer
    void rest.cancel().catch(() => {});
    const started = Date.now();
    const text = await readAllWithin(await resume(), 5000);
    expect(text).toContain('"id":42');
    expect(text).toContain("The server instance serving this request stopped");
    expect(Date.now() - started).toBeLessThan(LEASE_MS * 1.5 + 1500);
    // A second resume of the same stream ends with the same stored error, at once.
    const again = await readAllWithin(await resume(), 2000);
    expect(again).toContain('"id":42');
  });
});

describe("a resumed stream whose call finishes", () => {
  it("ends with the result, not an error, however long the call ran", async () => {
    // A longer lease here: a stalled event loop must not make the live owner look dead (that case
    // is the test above); what this one shows is that heartbeats carry a call past its lease.
    const leaseMs = 1_000;
    const { finish, rest, resume } = await setup(leaseMs);
    void rest.cancel().catch(() => {});
    const resumed = await resume();
    // Longer than several leases: the owner's heartbeat keeps it alive.
    await new Promise((r) => setTimeout(r, leaseMs * 3));
    finish.now?.();
    const text = await readAllWithin(resumed, 5000);
    expect(text).toContain("long done");
    expect(text).not.toContain("stopped before it finished");
  });
});
