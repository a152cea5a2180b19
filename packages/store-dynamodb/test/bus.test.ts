import type { JsonValue, StoreKey } from "@portico/core";
import { StoreUnavailableError, storeKeyText } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DynamoDbStoresOptions } from "../src/index.ts";
import { dynamoDbStores } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { startLocalTable } from "./_dynalite.ts";

let table: LocalTable;
const opened: { bus: { close(): Promise<void> } }[] = [];

beforeAll(async () => {
  table = await startLocalTable();
});

afterAll(async () => {
  for (const stores of opened) await stores.bus.close();
  await table?.close();
});

/** A fetch that counts Query requests per partition key and can fail them on demand. */
function instrumented() {
  const queries = new Map<string, number>();
  const state = { failQueries: false };
  const wrapped: typeof fetch = async (input, init) => {
    if (String(new Headers(init?.headers).get("x-amz-target")).endsWith(".Query")) {
      const pk = (JSON.parse(String(init?.body)) as { ExpressionAttributeValues: { ":pk": { S: string } } })
        .ExpressionAttributeValues[":pk"].S;
      queries.set(pk, (queries.get(pk) ?? 0) + 1);
      if (state.failQueries) return new Response("injected", { status: 500 });
    }
    return fetch(input, init);
  };
  return { fetch: wrapped, queries, state };
}

function open(options: Partial<DynamoDbStoresOptions> = {}) {
  const stores = dynamoDbStores({
    ...table.connection,
    busPollMs: 20,
    retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  opened.push(stores);
  return stores;
}

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function recorder() {
  const got: JsonValue[] = [];
  return { got, onMessage: (message: JsonValue) => void got.push(message) };
}

let topics = 0;
const topic = (label: string): StoreKey => ({ kind: "bus-test", session: label, id: String(++topics) });
/** The partition key of a topic: `b#` and its canonical text. */
const pk = (t: StoreKey) => `b#${storeKeyText(t)}`;

describe("DynamoDbBus", () => {
  it("shares one poller per topic in a bus instance", async () => {
    const probe = instrumented();
    const { bus } = open({ fetch: probe.fetch, busPollMs: 60_000 });
    const [t1, t2] = [topic("shared"), topic("shared")];
    const a = await bus.subscribe(t1, () => {});
    const b = await bus.subscribe(t1, () => {});
    const c = await bus.subscribe(t2, () => {});
    expect(probe.queries.get(pk(t1))).toBe(1);
    expect(probe.queries.get(pk(t2))).toBe(1);
    await a.unsubscribe();
    await b.unsubscribe();
    await c.unsubscribe();
  });

  it("stops polling a topic once its last subscriber is gone", async () => {
    const probe = instrumented();
    const { bus } = open({ fetch: probe.fetch });
    const [gone, sentinel] = [topic("gone"), topic("sentinel")];
    const first = await bus.subscribe(gone, () => {});
    const second = await bus.subscribe(gone, () => {});
    await first.unsubscribe();
    const polls = () => probe.queries.get(pk(gone)) ?? 0;
    await waitUntil(() => polls() >= 3, "a few polls while one subscriber remains");
    await second.unsubscribe();
    await second.unsubscribe();
    const after = polls();
    const watch = await bus.subscribe(sentinel, () => {});
    await waitUntil(() => (probe.queries.get(pk(sentinel)) ?? 0) >= 5, "polls of another topic");
    await watch.unsubscribe();
    // A poll already under way when the last subscriber left may still reach the server.
    expect(polls()).toBeLessThanOrEqual(after + 1);
  });

  it("delivers across bus instances (separate clients), and not what was published before subscribe", async () => {
    const publisher = open();
    const subscriber = open();
    const t = topic("cross");
    await publisher.bus.publish(t, "before");
    const sink = recorder();
    const subscription = await subscriber.bus.subscribe(t, sink.onMessage);
    await publisher.bus.publish(t, { n: 1 });
    await publisher.bus.publish(t, { n: 2 });
    await waitUntil(() => sink.got.length >= 2, "two messages");
    expect(sink.got).toStrictEqual([{ n: 1 }, { n: 2 }]);
    await subscription.unsubscribe();
  });

  it("delivers a write that shows up late, behind newer ones, within the lookback window", async () => {
    const subscriber = open({ busLookbackMs: 2_000 });
    const onTime = open();
    const late = open({ now: () => Date.now() - 1_000 });
    const tooLate = open({ now: () => Date.now() - 10_000 });
    const t = topic("late");
    const sink = recorder();
    const subscription = await subscriber.bus.subscribe(t, sink.onMessage);
    await onTime.bus.publish(t, "on time");
    await waitUntil(() => sink.got.length === 1, "the first message");
    await late.bus.publish(t, "a second late");
    await tooLate.bus.publish(t, "ten seconds late");
    await onTime.bus.publish(t, "marker");
    await waitUntil(() => sink.got.includes("marker"), "the marker");
    expect(sink.got).toStrictEqual(["on time", "a second late", "marker"]);
    await subscription.unsubscribe();
  });

  it("delivers a message once, also when a poll's window starts at its very millisecond", async () => {
    // The window is `sk > floor` while the seen keys were pruned at `time <= floor`: a message
    // stamped exactly `floor` was forgotten yet read again, and delivered a second time.
    let clock = 1_700_000_000_000;
    const probe = instrumented();
    const subscriber = open({ fetch: probe.fetch, busLookbackMs: 2_000, now: () => clock });
    const publisher = open({ now: () => clock });
    const t = topic("window-edge");
    const sink = recorder();
    const subscription = await subscriber.bus.subscribe(t, sink.onMessage);
    clock += 10;
    await publisher.bus.publish(t, "once");
    const sentAt = clock;
    await waitUntil(() => sink.got.length === 1, "the delivery");
    for (const at of [sentAt + 1_999, sentAt + 2_000, sentAt + 2_001]) {
      clock = at;
      const polls = probe.queries.get(pk(t)) ?? 0;
      await waitUntil(() => (probe.queries.get(pk(t)) ?? 0) >= polls + 3, `polls at ${at}`);
    }
    expect(sink.got).toStrictEqual(["once"]);
    await subscription.unsubscribe();
  });

  it("reports a throwing subscriber and a failing poll to onError, and carries on", async () => {
    const errors: [unknown, string][] = [];
    const probe = instrumented();
    const { bus } = open({ fetch: probe.fetch, onError: (error, t) => errors.push([error, t]) });
    const publisher = open();
    const t = topic("errors");
    const sink = recorder();
    const boom = new Error("subscriber failure (expected by the test)");
    const subs = [
      await bus.subscribe(t, () => {
        throw boom;
      }),
      await bus.subscribe(t, sink.onMessage),
    ];
    await publisher.bus.publish(t, 1);
    await waitUntil(() => sink.got.length === 1, "first delivery");
    expect(errors).toStrictEqual([[boom, storeKeyText(t)]]);
    probe.state.failQueries = true;
    await waitUntil(() => errors.some(([error]) => error instanceof StoreUnavailableError), "a poll failure");
    probe.state.failQueries = false;
    await publisher.bus.publish(t, 2);
    await waitUntil(() => sink.got.length === 2, "delivery after the outage");
    expect(sink.got).toStrictEqual([1, 2]);
    for (const sub of subs) await sub.unsubscribe();
  });

  it("rejects subscribe when the first poll fails, and a later subscribe starts afresh", async () => {
    const probe = instrumented();
    const { bus } = open({ fetch: probe.fetch });
    const publisher = open();
    const t = topic("retry-subscribe");
    probe.state.failQueries = true;
    await expect(bus.subscribe(t, () => {})).rejects.toBeInstanceOf(StoreUnavailableError);
    probe.state.failQueries = false;
    const sink = recorder();
    const subscription = await bus.subscribe(t, sink.onMessage);
    await publisher.bus.publish(t, "works");
    await waitUntil(() => sink.got.length === 1, "delivery");
    await subscription.unsubscribe();
  });

  it("close() stops every poller of the instance", async () => {
    const probe = instrumented();
    const { bus } = open({ fetch: probe.fetch });
    const t = topic("close");
    const sentinel = topic("close-sentinel");
    const sink = recorder();
    await bus.subscribe(t, sink.onMessage);
    await bus.close();
    const after = probe.queries.get(pk(t)) ?? 0;
    const other = open({ fetch: probe.fetch });
    const subscription = await other.bus.subscribe(sentinel, () => {});
    await other.bus.publish(t, "nobody polls");
    await waitUntil(() => (probe.queries.get(pk(sentinel)) ?? 0) >= 5, "polls of another instance");
    await subscription.unsubscribe();
    expect(probe.queries.get(pk(t)) ?? 0).toBeLessThanOrEqual(after + 1);
    expect(sink.got).toStrictEqual([]);
  });
});
