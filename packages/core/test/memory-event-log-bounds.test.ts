/**
 * The memory event store's bounds hold for what a session really costs: every event is charged a
 * fixed overhead (`EVENT_OVERHEAD_BYTES`) on top of its JSON text, so events with tiny messages (a
 * priming event's `null`, one per legacy GET) cannot fill the byte budget a thousand times over;
 * and a session keeps at most 10,000 events by default (`maxEventsPerSession`). Eviction and
 * trimming keep the contract they had: a resume after an evicted or trimmed id reads as unknown,
 * the newest events stay, in order. Counted in events kept, never in heap or time.
 */
import { describe, expect, it } from "vitest";
import { MemoryEventStore, memoryStores } from "../src/index.ts";
import { DEFAULT_MAX_EVENTS_PER_SESSION, EVENT_OVERHEAD_BYTES } from "../src/stores/memory-event-store.ts";
import type { EventStore, JsonValue } from "../src/stores/types.ts";

/** Appends `count` messages to one stream of session `s`; their ids in order. */
async function fill(store: EventStore, count: number, message: JsonValue = null): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await store.append("s", "get-stream", message));
  return ids;
}

/** How many of `ids` (appended in this order) can still be replayed: what is kept is a suffix. */
async function kept(store: EventStore, ids: string[]): Promise<number> {
  let low = 0;
  let high = ids.length; // the first kept index is in [low, high]
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((await store.replay("s", ids[mid] as string)) === undefined) low = mid + 1;
    else high = mid;
  }
  return ids.length - low;
}

describe("MemoryEventStore byte accounting", () => {
  it("charges each event a fixed overhead besides its JSON text", async () => {
    expect(EVENT_OVERHEAD_BYTES).toBeGreaterThanOrEqual(100);
    const budget = 64 * 1024;
    const store = new MemoryEventStore({ maxBytesPerSession: budget, maxEventsPerSession: Infinity });
    const ids = await fill(store, 2000);
    // `null` is 4 characters of JSON: 2,000 of them (8,000) would fit 64 KiB eight times over.
    expect(await kept(store, ids)).toBe(Math.floor(budget / (4 + EVENT_OVERHEAD_BYTES)));
    expect(await kept(store, ids)).toBeLessThanOrEqual(budget / 100);
  });

  it("charges the overhead to larger messages too, and still keeps the newest one whatever its size", async () => {
    const message = { pad: "x".repeat(1000) };
    const size = JSON.stringify(message).length + EVENT_OVERHEAD_BYTES;
    const store = new MemoryEventStore({ maxBytesPerSession: 10 * size, maxEventsPerSession: Infinity });
    const ids = await fill(store, 25, message);
    expect(await kept(store, ids)).toBe(10);
    const large = await store.append("s", "get-stream", { pad: "y".repeat(50 * size) });
    expect(await store.replay("s", large)).toEqual({ streamId: "get-stream", events: [] });
    expect(await kept(store, ids)).toBe(0);
  });
});

describe("MemoryEventStore event count", () => {
  it(`keeps at most ${DEFAULT_MAX_EVENTS_PER_SESSION} events per session by default`, async () => {
    expect(DEFAULT_MAX_EVENTS_PER_SESSION).toBe(10_000);
    for (const store of [new MemoryEventStore(), memoryStores().events]) {
      const ids = await fill(store, DEFAULT_MAX_EVENTS_PER_SESSION + 50);
      expect(await kept(store, ids)).toBe(DEFAULT_MAX_EVENTS_PER_SESSION);
      // The oldest are gone: resuming after one of them reads as an unknown id, as eviction always did.
      expect(await store.replay("s", ids[49] as string)).toBeUndefined();
      // A replay returns at most what the bound keeps.
      const replay = await store.replay("s", ids[50] as string);
      expect(replay?.events).toHaveLength(DEFAULT_MAX_EVENTS_PER_SESSION - 1);
      expect(replay?.events[0]?.id).toBe(ids[51]);
      expect(replay?.events.at(-1)?.id).toBe(ids.at(-1));
    }
  });

  it("takes Infinity to keep the count unbounded (bytes still bound it)", async () => {
    const store = new MemoryEventStore({ maxEventsPerSession: Infinity });
    const ids = await fill(store, DEFAULT_MAX_EVENTS_PER_SESSION + 50);
    expect(await kept(store, ids)).toBe(ids.length);
  });
});

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("MemoryEventStore eviction against a plain model", () => {
  it("evicts the session's oldest events first across streams, through trims and many evictions", async () => {
    const next = random(7);
    const maxEvents = 5;
    const maxBytes = 3000;
    const store = new MemoryEventStore({ maxEventsPerSession: maxEvents, maxBytesPerSession: maxBytes });
    /** The model: the session's live events, oldest first. */
    let live: { id: string; stream: string; message: JsonValue; bytes: number }[] = [];
    const dead = new Set<string>();
    const streams = ["a", "b", "c", "get-1"];
    for (let step = 0; step < 3000; step++) {
      const stream = streams[Math.floor(next() * streams.length)] as string;
      if (next() < 0.05) {
        await store.trim("s", stream);
        for (const e of live) if (e.stream === stream) dead.add(e.id);
        live = live.filter((e) => e.stream !== stream);
        continue;
      }
      const message = next() < 0.5 ? null : { n: step, pad: "x".repeat(Math.floor(next() * 800)) };
      const id = await store.append("s", stream, message);
      live.push({ id, stream, message, bytes: JSON.stringify(message).length + EVENT_OVERHEAD_BYTES });
      const total = () => live.reduce((sum, e) => sum + e.bytes, 0);
      while (live.length > maxEvents || (total() > maxBytes && live.length > 1)) dead.add(live.shift()!.id);
      if (step % 10 !== 0) continue;
      for (const e of live) {
        const later = live.filter(
          (l) => l.stream === e.stream && l.id !== e.id && live.indexOf(l) > live.indexOf(e),
        );
        expect(await store.replay("s", e.id)).toEqual({
          streamId: e.stream,
          events: later.map((l) => ({ id: l.id, message: l.message })),
        });
      }
      for (const id of [...dead].slice(-20)) expect(await store.replay("s", id)).toBeUndefined();
    }
  });
});
