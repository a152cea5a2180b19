/**
 * What one legacy 2025-03-26 batch can cost is bounded: a batch holds at most
 * `MAX_BATCH_MESSAGES` messages (a larger one is refused whole, 400/-32600, before any of it runs);
 * a method that leaves the session as it was (`logging/setLevel` to the level it has,
 * `resources/subscribe` to a URI already subscribed) writes nothing; and the `capabilities` and
 * `clientInfo` a session record keeps are bounded in values (`MAX_CLIENT_STATE_NODES`) besides
 * characters, so no session record makes every write of it expensive. Work is counted in session
 * store writes and tool runs, never timed.
 */
import { describe, expect, it } from "vitest";
import {
  addResource,
  addTool,
  createHandler,
  McpServer,
  memoryStores,
  type SessionStore,
  type StoreKey,
} from "../src/index.ts";
import { MAX_CLIENT_STATE_NODES } from "../src/legacy/_admit.ts";
import { MAX_BATCH_MESSAGES } from "../src/legacy/_batch.ts";
import { legacySession, read, URL_ } from "./_client.ts";
import { ACCEPT_BOTH } from "./_requests.ts";

/** Memory stores whose session store counts writes by key kind, and may interfere with a read. */
function countingStores() {
  const stores = memoryStores();
  const inner = stores.sessions;
  const creates: Record<string, number> = {};
  const updates: Record<string, number> = {};
  /** Runs once, just before the given read of a session record (counted from when it is set). */
  const before: { nth: number; seen: number; run: (() => Promise<void>) | undefined } = {
    nth: 0,
    seen: 0,
    run: undefined,
  };
  const sessions: SessionStore = {
    async get(key: StoreKey) {
      if (key.kind === "session" && before.run !== undefined && ++before.seen === before.nth) {
        const run = before.run;
        before.run = undefined;
        await run();
      }
      return inner.get(key);
    },
    create(key, value, ttlMs) {
      creates[key.kind] = (creates[key.kind] ?? 0) + 1;
      return inner.create(key, value, ttlMs);
    },
    update(key, version, value, ttlMs) {
      updates[key.kind] = (updates[key.kind] ?? 0) + 1;
      return inner.update(key, version, value, ttlMs);
    },
    delete: (key) => inner.delete(key),
  };
  return { stores: { ...stores, sessions }, inner, creates, updates, before };
}

function server() {
  const s = new McpServer({ name: "batch", version: "1" });
  addResource(s, "note://a", { name: "a" }, (uri) => [{ uri, text: "a" }]);
  return s;
}

const sessionKey = (session: string): StoreKey => ({ kind: "session", session });

/** The session record's value, as stored. */
async function stored(sessions: SessionStore, session: string) {
  const record = await sessions.get(sessionKey(session));
  if (record === undefined) throw new Error(`no session ${session}`);
  return record.value as { logLevel: string | null; subscriptions: string[] };
}

describe("a legacy batch's session writes", () => {
  it("writes the session once for many logging/setLevel items that set the level it already has", async () => {
    const counting = countingStores();
    const handler = createHandler(server(), { stores: counting.stores, onError: () => {} });
    const session = await legacySession(handler, "2025-03-26");
    const items = Array.from({ length: 50 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "logging/setLevel",
      params: { level: "info" },
    }));
    const response = await session.send(items);
    expect(response.status).toBe(200);
    const replies = (await response.json()) as { id: number; result: unknown }[];
    expect(replies).toHaveLength(50);
    expect(replies.every((r) => JSON.stringify(r.result) === "{}")).toBe(true);
    // The first item changes the level (null → info); the 49 others leave the record as it is.
    expect(counting.updates.session).toBe(1);
    expect((await stored(counting.inner, session.sessionId)).logLevel).toBe("info");
  });

  it("writes the session once for many resources/subscribe items of one URI, and still writes real changes", async () => {
    const counting = countingStores();
    const handler = createHandler(server(), { stores: counting.stores, onError: () => {} });
    const session = await legacySession(handler, "2025-03-26");
    const subscribe = Array.from({ length: 50 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "resources/subscribe",
      params: { uri: "note://a" },
    }));
    expect((await session.send(subscribe)).status).toBe(200);
    expect(counting.updates.session).toBe(1);
    // Unsubscribing what is not subscribed changes nothing either.
    const unsubscribeTwice = [0, 1].map((i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "resources/unsubscribe",
      params: { uri: "note://a" },
    }));
    expect((await session.send(unsubscribeTwice)).status).toBe(200);
    expect(counting.updates.session).toBe(2);
    // Each item that does change the level is written.
    const alternate = Array.from({ length: 10 }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "logging/setLevel",
      params: { level: i % 2 === 0 ? "debug" : "error" },
    }));
    expect((await session.send(alternate)).status).toBe(200);
    expect(counting.updates.session).toBe(12);
    const state = await stored(counting.inner, session.sessionId);
    expect(state.logLevel).toBe("error");
    expect(state.subscriptions).toEqual([]);
  });

  it("compares with the record as stored, not as the request first read it (compare-and-set)", async () => {
    const counting = countingStores();
    const handler = createHandler(server(), { stores: counting.stores, onError: () => {} });
    const session = await legacySession(handler, "2025-03-26");
    const setLevel = (level: string) => session.call("logging/setLevel", { level });
    expect((await setLevel("info")).final.result).toEqual({});
    // Another instance sets "debug" after this request opened the session (read 1: level info)
    // and before it applies its change (read 2): "info" is a change again, and must be written.
    counting.before.nth = 2;
    counting.before.run = async () => {
      const key = sessionKey(session.sessionId);
      const record = await counting.inner.get(key);
      if (record === undefined) throw new Error("the session is gone");
      const value = { ...(record.value as Record<string, unknown>), logLevel: "debug" };
      expect(await counting.inner.update(key, record.version, value, 60_000)).toBe(true);
    };
    expect((await setLevel("info")).final.result).toEqual({});
    expect(counting.before.run).toBeUndefined();
    expect((await stored(counting.inner, session.sessionId)).logLevel).toBe("info");
  });
});

describe(`a legacy batch holds at most ${MAX_BATCH_MESSAGES} messages`, () => {
  function countingServer() {
    const s = new McpServer({ name: "batch", version: "1" });
    const runs = { n: 0 };
    addTool(s, "count", {}, () => {
      runs.n++;
      return "ok";
    });
    return { handler: createHandler(s, { onError: () => {} }), runs };
  }
  const call = (i: number) => ({
    jsonrpc: "2.0",
    id: i,
    method: "tools/call",
    params: { name: "count", arguments: {} },
  });

  it("answers a batch of exactly the limit as before", async () => {
    const { handler, runs } = countingServer();
    const session = await legacySession(handler, "2025-03-26");
    const response = await session.send(Array.from({ length: MAX_BATCH_MESSAGES }, (_, i) => call(i)));
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(MAX_BATCH_MESSAGES);
    expect(runs.n).toBe(MAX_BATCH_MESSAGES);
  });

  it("refuses a larger batch as a whole with 400 and one -32600 error, running none of it", async () => {
    const { handler, runs } = countingServer();
    const session = await legacySession(handler, "2025-03-26");
    const notifications = [{ jsonrpc: "2.0", method: "notifications/initialized" }];
    for (const body of [
      Array.from({ length: MAX_BATCH_MESSAGES + 1 }, (_, i) => call(i)),
      // Notifications count too: every message of the batch is work.
      [...notifications, ...Array.from({ length: MAX_BATCH_MESSAGES }, (_, i) => call(i))],
    ]) {
      const answer = await read(await session.send(body));
      expect(answer.status).toBe(400);
      expect(answer.messages).toHaveLength(1);
      expect(answer.final).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32600 } });
      expect(answer.final.error.message).toBe(
        `Invalid Request: a batch holds at most ${MAX_BATCH_MESSAGES} messages, this one ${body.length}`,
      );
    }
    expect(runs.n).toBe(0);
  });
});

describe(`legacy initialize keeps at most ${MAX_CLIENT_STATE_NODES} JSON values of capabilities and clientInfo`, () => {
  const initialize = (handler: ReturnType<typeof createHandler>, capabilities: unknown) =>
    handler.fetch(
      new Request(URL_, {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 7,
          method: "initialize",
          // clientInfo is three values (the object and two strings).
          params: { protocolVersion: "2025-03-26", capabilities, clientInfo: { name: "c", version: "1" } },
        }),
      }),
    );
  /** Capabilities of `values` JSON values in all: the object, one array, and `values - 2` zeros. */
  const capabilitiesOf = (values: number) => ({ x: Array.from({ length: values - 2 }, () => 0) });

  it("opens a session at the bound", async () => {
    const counting = countingStores();
    const handler = createHandler(server(), { stores: counting.stores, onError: () => {} });
    const response = await initialize(handler, capabilitiesOf(MAX_CLIENT_STATE_NODES - 3));
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).not.toBeNull();
  });

  it("refuses one value more with 400/-32602, well under the character bound, taking no place", async () => {
    const counting = countingStores();
    const handler = createHandler(server(), { stores: counting.stores, onError: () => {} });
    const capabilities = capabilitiesOf(MAX_CLIENT_STATE_NODES - 2);
    expect(JSON.stringify(capabilities).length).toBeLessThan(4 * MAX_CLIENT_STATE_NODES);
    const response = await initialize(handler, capabilities);
    expect(response.status).toBe(400);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const answer = await read(response);
    expect(answer.final).toMatchObject({ id: 7, error: { code: -32602 } });
    expect(answer.final.error.message).toBe(
      `Invalid params: capabilities and clientInfo hold more than ${MAX_CLIENT_STATE_NODES} JSON values; a session keeps at most ${MAX_CLIENT_STATE_NODES}`,
    );
    // Neither a session record nor a place in the per-caller or server-wide counts.
    expect(counting.creates).toEqual({});
    expect(counting.updates).toEqual({});
  });

  it("refuses many tiny nodes the character bound lets through (the audit's 20,000 empty arrays)", async () => {
    const handler = createHandler(server(), { onError: () => {} });
    const capabilities = { x: Array.from({ length: 20_000 }, () => []) };
    const response = await initialize(handler, capabilities);
    expect(response.status).toBe(400);
    expect((await read(response)).final.error.code).toBe(-32602);
  });
});
