import type { JsonValue, StoreKey, TopicLog, TopicLogBatch, TopicLogRead } from "@portico/core";
import {
  MemoryBus,
  MemoryEventStore,
  MemorySessionStore,
  memoryStores,
  PollingBus,
  storeKeyText,
} from "@portico/core";
import { describe, expect, it } from "vitest";
import { describeStore } from "../src/index.ts";

describeStore("memory", () => ({
  stores: memoryStores(),
  boundedEvents: (maxBytesPerSession) => new MemoryEventStore({ maxBytesPerSession }),
}));

/** A topic log in memory (the cursor is how many messages were read), for the core's PollingBus. */
class MemoryTopicLog implements TopicLog<number> {
  readonly #logs = new Map<string, string[]>();

  async append(topic: StoreKey, text: string): Promise<void> {
    const name = storeKeyText(topic);
    const log = this.#logs.get(name) ?? [];
    log.push(text);
    this.#logs.set(name, log);
  }

  async read(reads: readonly TopicLogRead<number>[]): Promise<TopicLogBatch<number>[]> {
    return reads.map(({ topic, cursor }) => {
      const log = this.#logs.get(storeKeyText(topic)) ?? [];
      return { messages: log.slice(cursor ?? log.length), cursor: log.length };
    });
  }
}

describeStore("memory, with the core's PollingBus over an in-memory topic log", () => {
  const bus = new PollingBus(new MemoryTopicLog(), { pollMs: 10 });
  return {
    stores: { ...memoryStores(), bus },
    cleanup: () => bus.close(),
    boundedEvents: (maxBytesPerSession) => new MemoryEventStore({ maxBytesPerSession }),
  };
});

const k: StoreKey = { kind: "session", session: "k" };
const t: StoreKey = { kind: "stream", session: "s", id: "t" };

/** Resolves once every microtask queued so far (and those they queue) has run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("MemorySessionStore with an injected clock", () => {
  function clocked() {
    const clock = { now: 1_000_000 };
    return { clock, sessions: new MemorySessionStore({ now: () => clock.now }) };
  }

  it("sets expiresAt from the clock and expires strictly after it", async () => {
    const { clock, sessions } = clocked();
    await sessions.create(k, "v", 1_000);
    expect(await sessions.get(k)).toStrictEqual({ value: "v", version: 1, expiresAt: 1_001_000 });
    clock.now = 1_001_000;
    expect(await sessions.get(k)).toMatchObject({ value: "v" });
    clock.now = 1_001_001;
    expect(await sessions.get(k)).toBeUndefined();
  });

  it("treats an expired record as absent for update and create", async () => {
    const { clock, sessions } = clocked();
    await sessions.create(k, "old", 1_000);
    await sessions.update(k, 1, "newer", 1_000);
    clock.now += 1_001;
    expect(await sessions.update(k, 2, "late", 1_000)).toBe(false);
    expect(await sessions.create(k, "fresh", 5_000)).toBe(true);
    expect(await sessions.get(k)).toStrictEqual({
      value: "fresh",
      version: 1,
      expiresAt: clock.now + 5_000,
    });
  });

  it("update refreshes expiry from the clock", async () => {
    const { clock, sessions } = clocked();
    await sessions.create(k, 1, 1_000);
    clock.now += 900;
    expect(await sessions.update(k, 1, 2, 1_000)).toBe(true);
    clock.now += 900;
    expect(await sessions.get(k)).toStrictEqual({ value: 2, version: 2, expiresAt: clock.now + 100 });
  });

  it("keeps working across the periodic sweep", async () => {
    const { clock, sessions } = clocked();
    await sessions.create({ kind: "short" }, 1, 1_000);
    await sessions.create({ kind: "long" }, 2, 3_600_000);
    clock.now += 120_000;
    expect(await sessions.create({ kind: "new" }, 3, 1_000)).toBe(true);
    expect(await sessions.get({ kind: "short" })).toBeUndefined();
    expect(await sessions.get({ kind: "long" })).toMatchObject({ value: 2, version: 1 });
    expect(await sessions.get({ kind: "new" })).toMatchObject({ value: 3, version: 1 });
  });

  it("rejects a ttl that is not a positive finite number", async () => {
    const { sessions } = clocked();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(sessions.create(k, 1, ttl)).rejects.toThrow(RangeError);
      await expect(sessions.update(k, 1, 1, ttl)).rejects.toThrow(RangeError);
    }
  });

  it("memoryStores passes the clock to its session store", async () => {
    const clock = { now: 5_000 };
    const { sessions } = memoryStores({ now: () => clock.now });
    await sessions.create(k, true, 10);
    expect((await sessions.get(k))?.expiresAt).toBe(5_010);
  });
});

describe("MemoryEventStore", () => {
  it("makes ids of the form <streamId>/<seq>, also for stream ids containing '/'", async () => {
    const events = new MemoryEventStore();
    const id = await events.append("s", "a/b", "x");
    expect(id).toMatch(/^a\/b\/[1-9][0-9]*$/);
    expect((await events.replay("s", id))?.streamId).toBe("a/b");
  });

  it("rejects stream ids that are empty or not visible ASCII", async () => {
    const events = new MemoryEventStore();
    for (const streamId of ["", "with space", "new\nline", "é"]) {
      await expect(events.append("s", streamId, 1), JSON.stringify(streamId)).rejects.toThrow(TypeError);
    }
  });

  it("never reuses an id after a trim", async () => {
    const events = new MemoryEventStore();
    const before = await events.append("s", "a", 1);
    await events.trim("s");
    const after = await events.append("s", "a", 1);
    expect(after).not.toBe(before);
    expect(await events.replay("s", before)).toBeUndefined();
  });

  it("evicts a session's oldest events first beyond maxEventsPerSession", async () => {
    const events = new MemoryEventStore({ maxEventsPerSession: 3 });
    const a1 = await events.append("s", "a", "a1");
    const b1 = await events.append("s", "b", "b1");
    const a2 = await events.append("s", "a", "a2");
    const o1 = await events.append("other", "a", "o1");
    const b2 = await events.append("s", "b", "b2");
    expect(await events.replay("s", a1)).toBeUndefined();
    expect(await events.replay("s", a2)).toStrictEqual({ streamId: "a", events: [] });
    expect(await events.replay("s", b1)).toStrictEqual({
      streamId: "b",
      events: [{ id: b2, message: "b2" }],
    });
    const b3 = await events.append("s", "b", "b3");
    const b4 = await events.append("s", "b", "b4");
    expect(await events.replay("s", b1)).toBeUndefined();
    expect(await events.replay("s", a2)).toBeUndefined();
    expect((await events.replay("s", b2))?.events.map((e) => e.id)).toStrictEqual([b3, b4]);
    expect(await events.replay("other", o1)).toStrictEqual({ streamId: "a", events: [] });
  });

  it("counts trimmed streams out of the bound", async () => {
    const events = new MemoryEventStore({ maxEventsPerSession: 2 });
    await events.append("s", "a", 1);
    await events.append("s", "a", 2);
    await events.trim("s", "a");
    const b1 = await events.append("s", "b", 3);
    const b2 = await events.append("s", "b", 4);
    expect(await events.replay("s", b1)).toStrictEqual({ streamId: "b", events: [{ id: b2, message: 4 }] });
  });

  it("rejects a bound that is not a positive integer", () => {
    for (const max of [0, -1, 1.5, Number.NaN]) {
      expect(() => new MemoryEventStore({ maxEventsPerSession: max })).toThrow(RangeError);
    }
  });
});

describe("structuredClone isolation", () => {
  it("session values cannot be changed through the written or the returned (frozen) object", async () => {
    const sessions = new MemorySessionStore();
    const written = { list: [1], nested: { a: "b" } };
    await sessions.create(k, written, 60_000);
    written.list.push(2);
    written.nested.a = "changed";
    const read = (await sessions.get(k))!.value as { list: number[] };
    expect(read).toStrictEqual({ list: [1], nested: { a: "b" } });
    // Reads hand out a frozen value: changing it fails loudly instead of changing the store.
    expect(() => read.list.push(3)).toThrow(TypeError);
    expect(() => {
      (read as unknown as { nested: { a: string } }).nested.a = "x";
    }).toThrow(TypeError);
    expect((await sessions.get(k))?.value).toStrictEqual({ list: [1], nested: { a: "b" } });
    const updated = { n: [1] };
    await sessions.update(k, 1, updated, 60_000);
    updated.n.push(2);
    expect((await sessions.get(k))?.value).toStrictEqual({ n: [1] });
  });

  it("event messages cannot be changed through the appended or the replayed object", async () => {
    const events = new MemoryEventStore();
    const first = await events.append("s", "a", "first");
    const message = { params: { items: ["x"] } };
    await events.append("s", "a", message);
    message.params.items.push("y");
    const replayed = (await events.replay("s", first))!.events[0]!.message as typeof message;
    expect(replayed).toStrictEqual({ params: { items: ["x"] } });
    replayed.params.items.push("z");
    expect((await events.replay("s", first))?.events[0]?.message).toStrictEqual({ params: { items: ["x"] } });
  });

  it("bus subscribers get their own copy, taken at publish time", async () => {
    const bus = new MemoryBus();
    const got: JsonValue[] = [];
    const mutate = (m: JsonValue) => {
      (m as { list: string[] }).list.push("mutated");
      got.push(m);
    };
    await bus.subscribe(t, mutate);
    await bus.subscribe(t, mutate);
    const message = { list: ["original"] };
    await bus.publish(t, message);
    message.list.push("after publish");
    await settle();
    expect(got).toStrictEqual([{ list: ["original", "mutated"] }, { list: ["original", "mutated"] }]);
  });
});

describe("MemoryBus", () => {
  it("reports a throwing subscriber to onError and keeps delivering", async () => {
    const errors: [unknown, string][] = [];
    const bus = new MemoryBus({ onError: (error, topic) => errors.push([error, topic]) });
    const got: JsonValue[] = [];
    const boom = new Error("boom");
    await bus.subscribe(t, () => {
      throw boom;
    });
    await bus.subscribe(t, (m) => got.push(m));
    await bus.publish(t, 1);
    await settle();
    expect(got).toStrictEqual([1]);
    expect(errors).toStrictEqual([[boom, storeKeyText(t)]]);
  });

  it("survives an onError that throws", async () => {
    const bus = new MemoryBus({
      onError: () => {
        throw new Error("handler failure");
      },
    });
    const got: JsonValue[] = [];
    await bus.subscribe(t, () => {
      throw new Error("subscriber failure");
    });
    await bus.subscribe(t, (m) => got.push(m));
    await bus.publish(t, "still delivered");
    await settle();
    expect(got).toStrictEqual(["still delivered"]);
  });

  it("drops messages already published to a subscriber that unsubscribes before delivery", async () => {
    const bus = new MemoryBus();
    const got: JsonValue[] = [];
    const subscription = await bus.subscribe(t, (m) => got.push(m));
    const publishing = bus.publish(t, "in flight");
    await subscription.unsubscribe();
    await publishing;
    await settle();
    expect(got).toStrictEqual([]);
  });
});
