/**
 * The default (memory) stores are bounded: a full session store makes `initialize` answer 503 +
 * Retry-After instead of growing; a session's event log keeps at most `maxBytesPerSession` (oldest
 * evicted first); logs of sessions nobody touches any more are dropped.
 */
import { describe, expect, it } from "vitest";
import { createHandler, McpServer, MemoryEventStore, memoryStores } from "../src/index.ts";
import { EVENT_OVERHEAD_BYTES } from "../src/stores/memory-event-store.ts";
import { URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

describe("memory store limits", () => {
  it("answers initialize with 503 + Retry-After once the session store is full, and recovers when records expire", async () => {
    let now = 1_000_000;
    const stores = memoryStores({ maxRecords: 3, now: () => now });
    const handler = createHandler(new McpServer({ name: "m", version: "1" }), {
      stores,
      sessionTtlMs: 1000,
      maxSessions: Infinity, // the store's own bound is under test, not the census
      onError: () => {},
    });
    for (let i = 0; i < 3; i++)
      expect((await handler.fetch(initializeRequest(URL_, "2025-11-25"))).status).toBe(200);
    const full = await handler.fetch(initializeRequest(URL_, "2025-11-25"));
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("5");
    now += 2000; // the three sessions expire
    expect((await handler.fetch(initializeRequest(URL_, "2025-11-25"))).status).toBe(200);
  });

  it("keeps at most maxBytesPerSession of a session's events, evicting the oldest", async () => {
    // Each event is charged its JSON text and a fixed overhead: room for ~10 of ~100 bytes.
    const store = new MemoryEventStore({ maxBytesPerSession: 1000 + 10 * EVENT_OVERHEAD_BYTES });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await store.append("s", "stream", { n: i, pad: "x".repeat(90) }));
    // ~100 bytes each: the first ~10 are gone, the newest remain replayable.
    expect(await store.replay("s", ids[0] as string)).toBeUndefined();
    const tail = await store.replay("s", ids[12] as string);
    expect(tail?.events.map((e) => (e.message as { n: number }).n)).toEqual([13, 14, 15, 16, 17, 18, 19]);
  });

  it("drops the log of a session idle for idleSessionMs", async () => {
    let now = 0;
    const store = new MemoryEventStore({ idleSessionMs: 10_000, now: () => now });
    const old = await store.append("old", "a", { n: 1 });
    await store.append("old", "a", { n: 2 });
    now += 5 * 60_000; // long idle; the next append (elsewhere) sweeps
    await store.append("fresh", "b", { n: 1 });
    expect(await store.replay("old", old)).toBeUndefined();
  });
});
