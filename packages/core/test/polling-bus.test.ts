import { describe, expect, it } from "vitest";
import type { JsonValue, StoreKey, TopicLog, TopicLogBatch, TopicLogRead } from "../src/index.ts";
import { PollingBus, storeKeyText } from "../src/index.ts";

/**
 * A topic log in memory: per topic an array of messages, the cursor is how many were read. It
 * records every read and can fail reads (all of them, or one topic's) or cap a read's length.
 */
class MemoryTopicLog implements TopicLog<number> {
  readonly logs = new Map<string, string[]>();
  readonly reads: string[][] = [];
  failAll = false;
  failTopic: string | undefined;
  limit = Number.POSITIVE_INFINITY;

  async append(topic: StoreKey, text: string): Promise<void> {
    const name = storeKeyText(topic);
    const log = this.logs.get(name) ?? [];
    log.push(text);
    this.logs.set(name, log);
  }

  async read(reads: readonly TopicLogRead<number>[]): Promise<TopicLogBatch<number>[]> {
    this.reads.push(reads.map((read) => storeKeyText(read.topic)));
    if (this.failAll) throw new Error("log unavailable (expected by the test)");
    return reads.map(({ topic, cursor }) => {
      const name = storeKeyText(topic);
      if (name === this.failTopic) return { error: new Error(`cannot read ${name} (expected by the test)`) };
      const log = this.logs.get(name) ?? [];
      if (cursor === undefined) return { messages: log.slice(), cursor: log.length };
      const messages = log.slice(cursor, cursor + this.limit);
      return { messages, cursor: cursor + messages.length, more: cursor + messages.length < log.length };
    });
  }

  /** Reads that polled (not the first read of a subscription). */
  pollsOf(name: string): number {
    return this.reads.filter((names) => names.includes(name)).length;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function recorder() {
  const got: JsonValue[] = [];
  return { got, onMessage: (message: JsonValue) => void got.push(message) };
}

let counter = 0;
const topic = (label: string): StoreKey => ({ kind: "test", session: `${label}-${++counter}`, id: "1" });

describe("PollingBus", () => {
  it("refuses a poll interval no timer can wait (it would poll without pause)", () => {
    for (const pollMs of [0, -1, Number.NaN, 2 ** 31, Infinity]) {
      expect(() => new PollingBus(new MemoryTopicLog(), { pollMs }), String(pollMs)).toThrow(
        `pollMs must be a number of ms above 0, at most 2147483647, got ${pollMs}`,
      );
    }
    expect(() => new PollingBus(new MemoryTopicLog(), { pollMs: 2 ** 31 - 1 })).not.toThrow();
  });

  it("delivers what is appended after subscribe resolves, in log order, not what was there before", async () => {
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 5 });
    const t = topic("order");
    await bus.publish(t, "before");
    const sink = recorder();
    const sub = await bus.subscribe(t, sink.onMessage);
    for (let n = 0; n < 5; n++) await bus.publish(t, { n });
    await waitUntil(() => sink.got.length === 5, "five messages");
    expect(sink.got).toStrictEqual([0, 1, 2, 3, 4].map((n) => ({ n })));
    expect(log.logs.get(storeKeyText(t))?.[0]).toBe('"before"');
    await sub.unsubscribe();
    await bus.close();
  });

  it("reads each topic once per poll for all its subscribers, and all topics in one read", async () => {
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 5 });
    const [t1, t2] = [topic("shared"), topic("shared")];
    const sinks = [recorder(), recorder(), recorder()];
    const subs = [
      await bus.subscribe(t1, sinks[0]!.onMessage),
      await bus.subscribe(t1, sinks[1]!.onMessage),
      await bus.subscribe(t2, sinks[2]!.onMessage),
    ];
    // One first read per topic, not per subscriber.
    expect(log.reads.slice(0, 2)).toStrictEqual([[storeKeyText(t1)], [storeKeyText(t2)]]);
    await bus.publish(t1, { to: 1 });
    await bus.publish(t2, { to: 2 });
    await waitUntil(() => sinks.every((sink) => sink.got.length === 1), "delivery on both topics");
    expect(sinks.map((sink) => sink.got)).toStrictEqual([[{ to: 1 }], [{ to: 1 }], [{ to: 2 }]]);
    expect(log.reads.some((names) => names.length === 2)).toBe(true);
    // Every subscriber gets its own copy.
    expect(sinks[0]!.got[0]).not.toBe(sinks[1]!.got[0]);
    for (const sub of subs) await sub.unsubscribe();
  });

  it("stops polling a topic with its last subscriber, and polling altogether with the last topic", async () => {
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 5 });
    const [gone, stays] = [topic("gone"), topic("stays")];
    const a = await bus.subscribe(gone, () => {});
    const b = await bus.subscribe(stays, () => {});
    await waitUntil(() => log.pollsOf(storeKeyText(gone)) >= 3, "a few polls");
    await a.unsubscribe();
    await a.unsubscribe();
    const goneReads = log.pollsOf(storeKeyText(gone));
    await waitUntil(() => log.pollsOf(storeKeyText(stays)) >= goneReads + 3, "more polls of the other topic");
    // A poll already under way when the subscriber left may still have read it.
    expect(log.pollsOf(storeKeyText(gone))).toBeLessThanOrEqual(goneReads + 1);
    await b.unsubscribe();
    await sleep(10);
    const reads = log.reads.length;
    await sleep(40);
    expect(log.reads.length).toBe(reads);
  });

  it("polls again at once while a read reports more", async () => {
    const log = new MemoryTopicLog();
    log.limit = 2;
    const bus = new PollingBus(log, { pollMs: 300 });
    const t = topic("more");
    const sink = recorder();
    const sub = await bus.subscribe(t, sink.onMessage);
    // All seven are in the log before the first poll, which reads two at a time.
    for (let n = 0; n < 7; n++) await bus.publish(t, n);
    await waitUntil(() => sink.got.length === 7, "all seven messages");
    expect(sink.got).toStrictEqual([0, 1, 2, 3, 4, 5, 6]);
    // The first read, then four reads in one burst: not four poll intervals.
    expect(log.pollsOf(storeKeyText(t))).toBe(5);
    await sub.unsubscribe();
  });

  it("reports a throwing subscriber and a message that is not JSON, and keeps delivering", async () => {
    const errors: [unknown, string][] = [];
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 5, onError: (error, name) => errors.push([error, name]) });
    const t = topic("errors");
    const boom = new Error("subscriber failure (expected by the test)");
    const sink = recorder();
    const subs = [
      await bus.subscribe(t, () => {
        throw boom;
      }),
      await bus.subscribe(t, sink.onMessage),
    ];
    await bus.publish(t, 1);
    await log.append(t, "not json");
    await bus.publish(t, 2);
    await waitUntil(() => sink.got.length === 2, "both JSON messages");
    expect(sink.got).toStrictEqual([1, 2]);
    expect(errors.filter(([error]) => error === boom)).toHaveLength(2);
    const parse = errors.filter(([error]) => error instanceof SyntaxError);
    expect(parse).toHaveLength(1);
    expect(parse[0]?.[1]).toBe(storeKeyText(t));
    for (const sub of subs) await sub.unsubscribe();
  });

  it("survives an onError that throws", async () => {
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, {
      pollMs: 5,
      onError: () => {
        throw new Error("handler failure");
      },
    });
    const t = topic("bad-handler");
    const sink = recorder();
    const subs = [
      await bus.subscribe(t, () => {
        throw new Error("subscriber failure");
      }),
      await bus.subscribe(t, sink.onMessage),
    ];
    await bus.publish(t, "still delivered");
    await waitUntil(() => sink.got.length === 1, "delivery");
    for (const sub of subs) await sub.unsubscribe();
  });

  it("reports failing polls (one topic's or all), backs off, and delivers once reads work again", async () => {
    const errors: [unknown, string][] = [];
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 2, onError: (error, name) => errors.push([error, name]) });
    const [t1, t2] = [topic("flaky"), topic("fine")];
    const s1 = recorder();
    const s2 = recorder();
    const subs = [await bus.subscribe(t1, s1.onMessage), await bus.subscribe(t2, s2.onMessage)];
    log.failTopic = storeKeyText(t1);
    await bus.publish(t1, "one");
    await bus.publish(t2, "two");
    await waitUntil(() => s2.got.length === 1, "delivery on the topic that reads");
    await waitUntil(() => errors.length >= 2, "failures of the other topic");
    expect(new Set(errors.map(([, name]) => name))).toStrictEqual(new Set([storeKeyText(t1)]));
    expect(s1.got).toStrictEqual([]);
    log.failTopic = undefined;
    log.failAll = true;
    const before = log.reads.length;
    await waitUntil(() => errors.some(([, name]) => name === "*"), "a failed poll of all topics");
    // Backing off: 2 ms doubling to 32 ms; within 100 ms far fewer than 50 polls.
    await sleep(100);
    expect(log.reads.length - before).toBeLessThan(20);
    log.failAll = false;
    await waitUntil(() => s1.got.length === 1, "delivery after the outage");
    expect(s1.got).toStrictEqual(["one"]);
    for (const sub of subs) await sub.unsubscribe();
  });

  it("backs off a failing topic alone: the other topics keep their pace", async () => {
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 5, onError: () => {} });
    const [bad, good] = [topic("bad"), topic("good")];
    const s = recorder();
    const subs = [await bus.subscribe(bad, s.onMessage), await bus.subscribe(good, () => {})];
    log.failTopic = storeKeyText(bad);
    await sleep(60);
    const [bad0, good0] = [log.pollsOf(storeKeyText(bad)), log.pollsOf(storeKeyText(good))];
    await sleep(300);
    const goodPolls = log.pollsOf(storeKeyText(good)) - good0;
    const badPolls = log.pollsOf(storeKeyText(bad)) - bad0;
    // Every 5 ms for the good topic (a shared backoff would have slowed it to one poll in 80 ms);
    // the bad one is read at most every 16 polls.
    expect(goodPolls).toBeGreaterThan(12);
    expect(badPolls).toBeLessThan(goodPolls / 4);
    // Once it reads again, it is back to the common pace.
    await bus.publish(bad, "held");
    log.failTopic = undefined;
    await waitUntil(() => s.got.length === 1, "delivery on the recovered topic");
    expect(s.got).toStrictEqual(["held"]);
    const [bad1, good1] = [log.pollsOf(storeKeyText(bad)), log.pollsOf(storeKeyText(good))];
    await sleep(150);
    expect(log.pollsOf(storeKeyText(bad)) - bad1).toBeGreaterThanOrEqual(
      log.pollsOf(storeKeyText(good)) - good1 - 2,
    );
    for (const sub of subs) await sub.unsubscribe();
  });

  it("rejects subscribe when the first read fails, and a later subscribe starts afresh", async () => {
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 5 });
    const t = topic("first-read");
    log.failAll = true;
    await expect(bus.subscribe(t, () => {})).rejects.toThrow(/log unavailable/);
    log.failTopic = storeKeyText(t);
    log.failAll = false;
    await expect(bus.subscribe(t, () => {})).rejects.toThrow(/cannot read/);
    log.failTopic = undefined;
    const sink = recorder();
    const sub = await bus.subscribe(t, sink.onMessage);
    await bus.publish(t, "works");
    await waitUntil(() => sink.got.length === 1, "delivery");
    await sub.unsubscribe();
  });

  it("close() stops delivery and polling; subscribing again works", async () => {
    const log = new MemoryTopicLog();
    const bus = new PollingBus(log, { pollMs: 5 });
    const t = topic("close");
    const sink = recorder();
    await bus.subscribe(t, sink.onMessage);
    await bus.close();
    await sleep(10);
    const reads = log.reads.length;
    await bus.publish(t, "nobody polls");
    await sleep(30);
    expect(log.reads.length).toBe(reads);
    expect(sink.got).toStrictEqual([]);
    const again = recorder();
    const sub = await bus.subscribe(t, again.onMessage);
    await bus.publish(t, "heard");
    await waitUntil(() => again.got.length === 1, "delivery after close");
    expect(again.got).toStrictEqual(["heard"]);
    await sub.unsubscribe();
  });

  it("refuses a message that is not JSON, and a poll interval that is not positive", async () => {
    const bus = new PollingBus(new MemoryTopicLog());
    await expect(bus.publish(topic("refuse"), Number.NaN)).rejects.toThrow(TypeError);
    for (const pollMs of [0, -1, Number.NaN]) {
      expect(() => new PollingBus(new MemoryTopicLog(), { pollMs })).toThrow(RangeError);
    }
  });
});
