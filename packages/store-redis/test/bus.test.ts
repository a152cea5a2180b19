import { createHash } from "node:crypto";
import type { JsonValue } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLL } from "../src/_scripts.ts";
import { RedisRestClient, redisStores } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { type Flavour, type OpenedStores, openStores } from "./_clients.ts";
import { useRawConnection } from "./_raw.ts";

const backends = useBackends();
const raw = useRawConnection(backends);

async function waitUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recorder() {
  const got: JsonValue[] = [];
  return { got, onMessage: (message: JsonValue) => void got.push(message) };
}

/** How many connections Redis has subscribed to `channel`. */
async function subscribers(channel: string): Promise<number> {
  const [reply] = await raw.send([["PUBSUB", "NUMSUB", channel]]);
  const count = reply?.kind === "array" ? reply.value[1] : undefined;
  return count?.kind === "integer" ? count.value : Number.NaN;
}

for (const flavour of ["node-redis", "ioredis"] as Flavour[]) {
  describe(`pub/sub bus via ${flavour}`, () => {
    let opened: OpenedStores;
    beforeAll(async () => {
      opened = await openStores(flavour, backends.direct());
    });
    afterAll(async () => {
      await opened?.close();
    });

    it("shares one Redis subscription per topic and drops it with the last subscriber", async () => {
      const { bus } = opened.stores;
      const topic = { kind: "shared", session: flavour };
      const channel = `portico:b:portico:shared:${flavour}`;
      const one = recorder();
      const two = recorder();
      const a = await bus.subscribe(topic, one.onMessage);
      const b = await bus.subscribe(topic, two.onMessage);
      expect(await subscribers(channel)).toBe(1);
      await a.unsubscribe();
      expect(await subscribers(channel)).toBe(1);
      await bus.publish(topic, "still here");
      await waitUntil(() => two.got.length === 1, "delivery to the remaining subscriber");
      expect(one.got).toStrictEqual([]);
      await b.unsubscribe();
      expect(await subscribers(channel)).toBe(0);
    });

    it("keeps subscribe and unsubscribe of one topic in call order", async () => {
      const { bus } = opened.stores;
      const topic = { kind: "churn", session: flavour };
      const sink = recorder();
      for (let round = 0; round < 5; round++) {
        const subscription = await bus.subscribe(topic, () => {});
        void subscription.unsubscribe();
      }
      const last = await bus.subscribe(topic, sink.onMessage);
      expect(await subscribers(`portico:b:portico:churn:${flavour}`)).toBe(1);
      await bus.publish(topic, "after the churn");
      await waitUntil(() => sink.got.length === 1, "delivery after the churn");
      await last.unsubscribe();
    });

    it("close() ends the pub/sub connection; later subscribes are refused, publishing still works", async () => {
      const own = await openStores(flavour, backends.direct());
      const topic = { kind: "closing", session: flavour };
      const channel = `portico:b:portico:closing:${flavour}`;
      await own.stores.bus.subscribe(topic, () => {});
      expect(await subscribers(channel)).toBe(1);
      await own.stores.close();
      for (let i = 0; i < 50 && (await subscribers(channel)) !== 0; i++) await sleep(10);
      expect(await subscribers(channel)).toBe(0);
      await expect(own.stores.bus.subscribe(topic, () => {})).rejects.toThrow(/closed/);
      await own.stores.bus.publish(topic, "nobody");
      await own.close();
    });
  });
}

describe("polling bus via REST", () => {
  const POLL_SHA = createHash("sha1").update(POLL).digest("hex");

  /** A REST client that records the keys of every poll (a plain XREAD, or the POLL script by its SHA). */
  function watched() {
    const polls: string[][] = [];
    const client = new RedisRestClient({
      url: backends.rest.url,
      token: backends.rest.token,
      fetch: async (input, init) => {
        const command = JSON.parse(String(init?.body)) as string[];
        if (command[0] === "XREAD") {
          const keys = command.slice(command.indexOf("STREAMS") + 1);
          polls.push(keys.slice(0, keys.length / 2));
        }
        if (command[0] === "EVALSHA" && command[1] === POLL_SHA) {
          polls.push(command.slice(3, 3 + Number(command[2])));
        }
        return fetch(input, init);
      },
    });
    return { client, polls };
  }

  it.each([
    { primaryReads: true, poll: "the POLL script" },
    { primaryReads: false, poll: "XREAD" },
  ])(
    "polls all subscribed topics of an instance with one request ($poll), and stops with the last subscriber",
    async ({ primaryReads }) => {
      const { client, polls } = watched();
      const stores = redisStores({ client, busPollMs: 10, primaryReads });
      const topics = ["p1", "p2", "p3", "p4", "p5"].map((id) => ({ kind: "poll", id }));
      const sinks = topics.map(() => recorder());
      const subscriptions = await Promise.all(
        topics.map((t, i) => stores.bus.subscribe(t, sinks[i]!.onMessage)),
      );
      for (const topic of topics) await stores.bus.publish(topic, topic.id);
      await waitUntil(() => sinks.every((sink) => sink.got.length === 1), "delivery on every topic");
      expect(sinks.map((sink) => sink.got)).toStrictEqual(topics.map((t) => [t.id]));
      const full = polls.filter((keys) => keys.length === topics.length);
      expect(full.length).toBeGreaterThan(0);
      expect(full[0]).toStrictEqual(topics.map((t) => `portico:b:portico:poll:%:${t.id}`));
      for (const subscription of subscriptions) await subscription.unsubscribe();
      await sleep(30);
      const after = polls.length;
      await sleep(100);
      expect(polls.length).toBe(after);
    },
  );

  it("reports failing polls, backs off and carries on without losing what was published", async () => {
    const errors: unknown[] = [];
    const stores = redisStores({
      client: new RedisRestClient({ url: backends.rest.url, token: backends.rest.token }),
      busPollMs: 10,
      retries: 0,
      onError: (error) => errors.push(error),
    });
    const sink = recorder();
    const subscription = await stores.bus.subscribe({ kind: "flaky" }, sink.onMessage);
    // Only the subscriber's polls reach the endpoint now, so they take all three faults (injected
    // after a publish, a poll already on its way could deliver it first and leave the faults to the
    // next test's requests).
    backends.rest.inject("http-500", "http-500", "http-500");
    await waitUntil(() => errors.length >= 3, "three failed polls reported");
    // Published while the bus backs off: the next poll delivers it.
    await stores.bus.publish({ kind: "flaky" }, "through the failures");
    await waitUntil(() => sink.got.length === 1, "delivery after failed polls");
    expect(sink.got).toStrictEqual(["through the failures"]);
    expect(errors).toHaveLength(3);
    await subscription.unsubscribe();
  });

  it("keeps topic streams short-lived: they expire after the last publish", async () => {
    const stores = redisStores({
      client: new RedisRestClient({ url: backends.rest.url, token: backends.rest.token }),
    });
    await stores.bus.publish({ kind: "bounded" }, 1);
    const [ttl] = await raw.send([["PTTL", "portico:b:portico:bounded"]]);
    expect(ttl?.kind === "integer" && ttl.value > 0 && ttl.value <= 60_000).toBe(true);
  });
});
