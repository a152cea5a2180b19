import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JsonValue, Stores, Subscription } from "@portico/core";

/** What a {@link describeStore} factory provides: the stores under test and how to release them. */
export interface StoreFixture {
  stores: Stores;
  /** Runs once after the battery (close clients, drop tables, stop servers). */
  cleanup?: () => Promise<void>;
}

/** Longest wait for anything a store does "eventually" (expiry, bus delivery). */
const WAIT_MS = 5_000;
const POLL_MS = 20;
const TEST_TIMEOUT_MS = 30_000;
const SETUP_TIMEOUT_MS = 120_000;
/** Slack allowed between this process's clock and a store's idea of `expiresAt`. */
const CLOCK_SLACK_MS = 5_000;

const run = `portico-test-${globalThis.crypto.randomUUID()}`;
let counter = 0;
/** A name no other test (or concurrent run against a shared store) uses; visible ASCII only. */
function unique(label: string): string {
  counter += 1;
  return `${run}-${label}-${counter}`;
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. Never asserts on timing. */
async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function recorder() {
  const got: JsonValue[] = [];
  return { got, onMessage: (message: JsonValue) => void got.push(message) };
}

function nested(depth: number): JsonValue {
  let value: JsonValue = { leaf: true };
  for (let i = 0; i < depth; i++) value = { level: i, child: value, list: [i, "x"] };
  return value;
}

/** JSON values every store must return exactly as given. */
const SAMPLES: Record<string, JsonValue> = {
  null: null,
  true: true,
  false: false,
  zero: 0,
  "negative integer": -42,
  float: 0.1,
  tiny: 5e-324,
  huge: 1.7976931348623157e308,
  "max safe integer": Number.MAX_SAFE_INTEGER,
  "empty string": "",
  "empty array": [],
  "empty object": {},
  unicode: "héllo wörld — 日本語 — עברית — 👩‍👩‍👧‍👦 — e\u0301 — \u2028\u2029",
  "control characters": 'tab\tnewline\ncr\rnul\u0000bell\u0007quote"backslash\\',
  "awkward keys": { "": 1, "a.b": 2, $dollar: 3, "with space": 4, ключ: 5, "0": 6, "a/b:c": 7 },
  "nested 40 deep": nested(40),
  mixed: { a: [1, "two", null, false, { b: [[], {}] }], c: { d: { e: "f" } }, n: -0.5e-10 },
};

const LARGE = Array.from({ length: 100 * 1024 }, (_, i) => String.fromCharCode(32 + ((i * 7) % 95))).join("");

/**
 * The contract battery every Portico store runs. It uses only the public interfaces and real
 * time, and every test picks fresh random keys, session ids and topics, so it can run against a
 * shared external store. `factory` runs once before the battery and `cleanup` once after it.
 */
export function describeStore(name: string, factory: () => Promise<StoreFixture> | StoreFixture): void {
  describe(`store contract: ${name}`, { timeout: TEST_TIMEOUT_MS }, () => {
    let fixture: StoreFixture | undefined;
    beforeAll(async () => {
      fixture = await factory();
    }, SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await fixture?.cleanup?.();
    }, SETUP_TIMEOUT_MS);
    const stores = (): Stores => {
      if (!fixture) throw new Error("describeStore: the factory did not produce stores");
      return fixture.stores;
    };

    describe("SessionStore", () => {
      it("reads an absent key as undefined", async () => {
        expect(await stores().sessions.get(unique("absent"))).toBeUndefined();
      });

      it("creates a record at version 1 expiring about ttl from now", async () => {
        const { sessions } = stores();
        const key = unique("create");
        const before = Date.now();
        expect(await sessions.create(key, { hello: "world" }, 60_000)).toBe(true);
        const after = Date.now();
        const record = await sessions.get(key);
        expect(record?.value).toStrictEqual({ hello: "world" });
        expect(record?.version).toBe(1);
        expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 60_000 - CLOCK_SLACK_MS);
        expect(record?.expiresAt).toBeLessThanOrEqual(after + 60_000 + CLOCK_SLACK_MS);
      });

      it("create-if-absent resolves false on a live record and does not overwrite it", async () => {
        const { sessions } = stores();
        const key = unique("create-twice");
        expect(await sessions.create(key, "first", 60_000)).toBe(true);
        expect(await sessions.create(key, "second", 60_000)).toBe(false);
        expect(await sessions.get(key)).toMatchObject({ value: "first", version: 1 });
      });

      it("update with the current version writes, increments the version and resets expiry", async () => {
        const { sessions } = stores();
        const key = unique("update");
        await sessions.create(key, { n: 0 }, 60_000);
        expect(await sessions.update(key, 1, { n: 1 }, 60_000)).toBe(true);
        expect(await sessions.get(key)).toMatchObject({ value: { n: 1 }, version: 2 });
        const before = Date.now();
        expect(await sessions.update(key, 2, { n: 2 }, 600_000)).toBe(true);
        const after = Date.now();
        const record = await sessions.get(key);
        expect(record).toMatchObject({ value: { n: 2 }, version: 3 });
        expect(record?.expiresAt).toBeGreaterThanOrEqual(before + 600_000 - CLOCK_SLACK_MS);
        expect(record?.expiresAt).toBeLessThanOrEqual(after + 600_000 + CLOCK_SLACK_MS);
      });

      it("update with a stale or future version fails and leaves the record", async () => {
        const { sessions } = stores();
        const key = unique("stale");
        await sessions.create(key, "v1", 60_000);
        await sessions.update(key, 1, "v2", 60_000);
        expect(await sessions.update(key, 1, "stale", 60_000)).toBe(false);
        expect(await sessions.update(key, 3, "future", 60_000)).toBe(false);
        expect(await sessions.update(key, 0, "zero", 60_000)).toBe(false);
        expect(await sessions.get(key)).toMatchObject({ value: "v2", version: 2 });
      });

      it("update of an absent key fails and creates nothing", async () => {
        const { sessions } = stores();
        const key = unique("update-absent");
        expect(await sessions.update(key, 1, "nope", 60_000)).toBe(false);
        expect(await sessions.update(key, 0, "nope", 60_000)).toBe(false);
        expect(await sessions.get(key)).toBeUndefined();
      });

      it("delete removes the record, and a new create starts again at version 1", async () => {
        const { sessions } = stores();
        const key = unique("delete");
        await sessions.create(key, "old", 60_000);
        await sessions.update(key, 1, "older", 60_000);
        await sessions.delete(key);
        expect(await sessions.get(key)).toBeUndefined();
        expect(await sessions.update(key, 2, "ghost", 60_000)).toBe(false);
        expect(await sessions.create(key, "new", 60_000)).toBe(true);
        expect(await sessions.get(key)).toMatchObject({ value: "new", version: 1 });
      });

      it("delete of an absent key resolves", async () => {
        const key = unique("delete-absent");
        await expect(stores().sessions.delete(key)).resolves.toBeUndefined();
        await expect(stores().sessions.delete(key)).resolves.toBeUndefined();
      });

      it("an expired record reads as absent, cannot be updated and can be created again", async () => {
        const { sessions } = stores();
        const key = unique("expiry");
        const other = unique("expiry-long");
        expect(await sessions.create(key, "short-lived", 300)).toBe(true);
        await sessions.create(other, "long-lived", 60_000);
        await waitUntil(async () => (await sessions.get(key)) === undefined, "the record to expire");
        expect(await sessions.update(key, 1, "revived", 60_000)).toBe(false);
        expect(await sessions.get(key)).toBeUndefined();
        expect(await sessions.create(key, "reborn", 60_000)).toBe(true);
        expect(await sessions.get(key)).toMatchObject({ value: "reborn", version: 1 });
        expect(await sessions.get(other)).toMatchObject({ value: "long-lived", version: 1 });
      });

      it("exactly one of 10 concurrent creates wins", async () => {
        const { sessions } = stores();
        const key = unique("create-race");
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => sessions.create(key, i, 60_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await sessions.get(key)).toMatchObject({ value: results.indexOf(true), version: 1 });
      });

      it("exactly one of 10 concurrent updates from the same version wins", async () => {
        const { sessions } = stores();
        const key = unique("cas-race");
        await sessions.create(key, { winner: null }, 60_000);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => sessions.update(key, 1, { winner: i }, 60_000)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await sessions.get(key)).toMatchObject({
          value: { winner: results.indexOf(true) },
          version: 2,
        });
      });

      it("round-trips JSON values exactly through create and update", async () => {
        const { sessions } = stores();
        for (const [label, value] of Object.entries(SAMPLES)) {
          const key = unique(`value-${label.replaceAll(" ", "-")}`);
          await sessions.create(key, value, 60_000);
          expect((await sessions.get(key))?.value, label).toStrictEqual(value);
          await sessions.update(key, 1, { wrapped: value }, 60_000);
          expect((await sessions.get(key))?.value, label).toStrictEqual({ wrapped: value });
        }
      });

      it("round-trips a 100 KB string", async () => {
        const { sessions } = stores();
        const key = unique("large");
        await sessions.create(key, { text: LARGE }, 60_000);
        expect((await sessions.get(key))?.value).toStrictEqual({ text: LARGE });
      });

      it("keeps keys isolated, including keys that prefix one another", async () => {
        const { sessions } = stores();
        const base = unique("iso");
        const keys = [base, `${base}:a`, `${base}:ab`, `${base}/a`, `${base}:a:b`];
        for (const key of keys) await sessions.create(key, key, 60_000);
        await sessions.update(`${base}:a`, 1, "changed", 60_000);
        await sessions.delete(`${base}:ab`);
        expect(await sessions.get(base)).toMatchObject({ value: base, version: 1 });
        expect(await sessions.get(`${base}:a`)).toMatchObject({ value: "changed", version: 2 });
        expect(await sessions.get(`${base}:ab`)).toBeUndefined();
        expect(await sessions.get(`${base}/a`)).toMatchObject({ value: `${base}/a`, version: 1 });
        expect(await sessions.get(`${base}:a:b`)).toMatchObject({ value: `${base}:a:b`, version: 1 });
      });
    });

    describe("EventStore", () => {
      const ids = (list: { id: string }[] | undefined) => list?.map((event) => event.id);

      it("append resolves distinct ids made of visible ASCII (usable as SSE ids)", async () => {
        const { events } = stores();
        const session = unique("session");
        const appended = [
          await events.append(session, "s1", { n: 1 }),
          await events.append(session, "s1", { n: 2 }),
          await events.append(session, "s2", { n: 3 }),
        ];
        expect(new Set(appended).size).toBe(3);
        for (const id of appended) expect(id).toMatch(/^[\x21-\x7e]+$/);
      });

      it("replays what followed an id in its own stream, in order, with exact messages", async () => {
        const { events } = stores();
        const session = unique("session");
        const messages: JsonValue[] = [
          { jsonrpc: "2.0", method: "a" },
          SAMPLES.mixed!,
          SAMPLES.unicode!,
          null,
        ];
        const appended: string[] = [];
        for (const message of messages) appended.push(await events.append(session, "stream", message));
        const replay = await events.replay(session, appended[0]!);
        expect(replay?.streamId).toBe("stream");
        expect(replay?.events).toStrictEqual(
          messages.slice(1).map((message, i) => ({ id: appended[i + 1], message })),
        );
        expect(await events.replay(session, appended[2]!)).toStrictEqual({
          streamId: "stream",
          events: [{ id: appended[3], message: null }],
        });
      });

      it("keeps interleaved streams apart, even stream ids that prefix one another", async () => {
        const { events } = stores();
        const session = unique("session");
        const streams = ["a", "a/1", "a1", "x:y.z-_~"];
        const appended = new Map<string, string[]>(streams.map((s) => [s, []]));
        for (let round = 0; round < 3; round++) {
          for (const stream of streams)
            appended.get(stream)!.push(await events.append(session, stream, { stream, round }));
        }
        for (const stream of streams) {
          const own = appended.get(stream)!;
          const replay = await events.replay(session, own[0]!);
          expect(replay?.streamId).toBe(stream);
          expect(ids(replay?.events)).toStrictEqual(own.slice(1));
          expect(replay?.events.map((event) => event.message)).toStrictEqual([
            { stream, round: 1 },
            { stream, round: 2 },
          ]);
        }
      });

      it("never replays one session's ids in another session", async () => {
        const { events } = stores();
        const session = unique("session");
        const other = unique("session");
        const mine = await events.append(session, "shared-name", "mine");
        await events.append(session, "shared-name", "mine too");
        const theirs = await events.append(other, "shared-name", "theirs");
        await events.append(other, "shared-name", "theirs too");
        expect(await events.replay(other, mine)).toBeUndefined();
        expect(await events.replay(session, theirs)).toBeUndefined();
        expect((await events.replay(session, mine))?.events.map((e) => e.message)).toStrictEqual([
          "mine too",
        ]);
        expect((await events.replay(other, theirs))?.events.map((e) => e.message)).toStrictEqual([
          "theirs too",
        ]);
      });

      it("resolves undefined for unknown ids", async () => {
        const { events } = stores();
        const session = unique("session");
        const known = await events.append(session, "s", "x");
        for (const id of ["", "unknown", "s", "s/", "/", `${known}x`, `x${known}`]) {
          expect(await events.replay(session, id), id).toBeUndefined();
        }
        expect(await events.replay(unique("never-used-session"), known)).toBeUndefined();
      });

      it("replays an empty list after the last event of a stream", async () => {
        const { events } = stores();
        const session = unique("session");
        await events.append(session, "s", 1);
        const last = await events.append(session, "s", 2);
        await events.append(session, "other", 3);
        expect(await events.replay(session, last)).toStrictEqual({ streamId: "s", events: [] });
      });

      it("trims one stream and leaves the others", async () => {
        const { events } = stores();
        const session = unique("session");
        const a1 = await events.append(session, "a", 1);
        await events.append(session, "a", 2);
        const b1 = await events.append(session, "b", 3);
        const b2 = await events.append(session, "b", 4);
        await events.trim(session, "a");
        expect(await events.replay(session, a1)).toBeUndefined();
        expect(ids((await events.replay(session, b1))?.events)).toStrictEqual([b2]);
        const a3 = await events.append(session, "a", 5);
        const a4 = await events.append(session, "a", 6);
        expect(a3).not.toBe(a1);
        expect(await events.replay(session, a3)).toStrictEqual({
          streamId: "a",
          events: [{ id: a4, message: 6 }],
        });
        await events.trim(session, "never-existed");
        await events.trim(unique("never-used-session"), "a");
      });

      it("trims a whole session and leaves other sessions", async () => {
        const { events } = stores();
        const session = unique("session");
        const other = unique("session");
        const a = await events.append(session, "a", 1);
        const b = await events.append(session, "b", 2);
        const o1 = await events.append(other, "a", 3);
        const o2 = await events.append(other, "a", 4);
        await events.trim(session);
        expect(await events.replay(session, a)).toBeUndefined();
        expect(await events.replay(session, b)).toBeUndefined();
        expect(ids((await events.replay(other, o1))?.events)).toStrictEqual([o2]);
        await events.trim(session);
        await events.trim(unique("never-used-session"));
      });

      it("keeps 50 concurrent appends to one stream, each once, in one consistent order", async () => {
        const { events } = stores();
        const session = unique("session");
        const first = await events.append(session, "s", { n: -1 });
        const appended = await Promise.all(
          Array.from({ length: 50 }, (_, n) => events.append(session, "s", { n })),
        );
        expect(new Set(appended).size).toBe(50);
        const replay = await events.replay(session, first);
        const order = replay?.events ?? [];
        expect(order).toHaveLength(50);
        expect(new Set(ids(order))).toStrictEqual(new Set(appended));
        for (const event of order) expect(event.message).toStrictEqual({ n: appended.indexOf(event.id) });
        for (let k = 0; k < order.length; k++) {
          expect(ids((await events.replay(session, order[k]!.id))?.events)).toStrictEqual(
            ids(order.slice(k + 1)),
          );
        }
      });

      it("keeps concurrent appends to several streams and sessions apart", async () => {
        const { events } = stores();
        const targets = [unique("session"), unique("session")].flatMap((session) =>
          ["s1", "s2", "s3"].map((stream) => ({ session, stream })),
        );
        const heads = await Promise.all(targets.map((t) => events.append(t.session, t.stream, "head")));
        const appended = await Promise.all(
          targets.flatMap((t) =>
            Array.from({ length: 10 }, (_, n) =>
              events.append(t.session, t.stream, { ...t, n }).then((id) => ({ ...t, id })),
            ),
          ),
        );
        // Ids are unique within a session; two sessions may use the same id.
        const all = [...targets.map((t, i) => ({ ...t, id: heads[i]! })), ...appended];
        expect(new Set(all.map((e) => `${e.session} ${e.id}`)).size).toBe(all.length);
        for (const [i, t] of targets.entries()) {
          const replay = await events.replay(t.session, heads[i]!);
          expect(replay?.streamId).toBe(t.stream);
          const messages = replay?.events.map((event) => event.message) ?? [];
          expect(messages).toHaveLength(10);
          expect(messages).toEqual(
            expect.arrayContaining(Array.from({ length: 10 }, (_, n) => ({ ...t, n }))),
          );
        }
      });
    });

    describe("Bus", () => {
      async function withSubscriptions(run: (subscriptions: Subscription[]) => Promise<void>): Promise<void> {
        const subscriptions: Subscription[] = [];
        try {
          await run(subscriptions);
        } finally {
          await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
        }
      }

      it("delivers a message published after subscribe resolves", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const topic = unique("topic");
          const sink = recorder();
          subs.push(await bus.subscribe(topic, sink.onMessage));
          await bus.publish(topic, SAMPLES.mixed!);
          await waitUntil(() => sink.got.length > 0, "delivery");
          expect(sink.got).toStrictEqual([SAMPLES.mixed]);
        }));

      it("delivers to every subscriber of the topic", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const topic = unique("topic");
          const one = recorder();
          const two = recorder();
          subs.push(await bus.subscribe(topic, one.onMessage), await bus.subscribe(topic, two.onMessage));
          await bus.publish(topic, { hello: "both" });
          await waitUntil(() => one.got.length > 0 && two.got.length > 0, "delivery to both subscribers");
          expect(one.got).toStrictEqual([{ hello: "both" }]);
          expect(two.got).toStrictEqual([{ hello: "both" }]);
        }));

      it("keeps topics isolated, including topics that prefix one another", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const base = unique("topic");
          const topics = [base, `${base}:x`, `${base}x`];
          const sinks = topics.map(() => recorder());
          for (const [i, topic] of topics.entries())
            subs.push(await bus.subscribe(topic, sinks[i]!.onMessage));
          for (const topic of topics) await bus.publish(topic, topic);
          await waitUntil(() => sinks.every((sink) => sink.got.length > 0), "delivery on every topic");
          for (const [i, topic] of topics.entries()) expect(sinks[i]!.got).toStrictEqual([topic]);
        }));

      it("stops delivery after unsubscribe, and unsubscribe is idempotent", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const topic = unique("topic");
          const gone = recorder();
          const stays = recorder();
          const subscription = await bus.subscribe(topic, gone.onMessage);
          subs.push(await bus.subscribe(topic, stays.onMessage));
          await bus.publish(topic, "before");
          await waitUntil(() => gone.got.length > 0 && stays.got.length > 0, "delivery before unsubscribe");
          await subscription.unsubscribe();
          await subscription.unsubscribe();
          await bus.publish(topic, "after");
          await bus.publish(topic, "after again");
          await waitUntil(() => stays.got.length === 3, "delivery to the remaining subscriber");
          expect(gone.got).toStrictEqual(["before"]);
          expect(stays.got).toStrictEqual(["before", "after", "after again"]);
        }));

      it("accepts a publish with no subscribers", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const topic = unique("topic");
          await expect(bus.publish(topic, "nobody listens")).resolves.toBeUndefined();
          const sink = recorder();
          subs.push(await bus.subscribe(topic, sink.onMessage));
          await bus.publish(topic, "someone listens");
          await waitUntil(() => sink.got.includes("someone listens"), "delivery after subscribing");
        }));

      it("delivers one publisher's messages to a topic in publish order", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const topic = unique("topic");
          const sink = recorder();
          subs.push(await bus.subscribe(topic, sink.onMessage));
          const sent = Array.from({ length: 20 }, (_, n) => ({ n }));
          for (const message of sent) await bus.publish(topic, message);
          await waitUntil(() => sink.got.length >= sent.length, "all 20 messages");
          expect(sink.got).toStrictEqual(sent);
        }));

      it("never runs a subscriber inside publish", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const topic = unique("topic");
          const sink = recorder();
          subs.push(await bus.subscribe(topic, sink.onMessage));
          const publishing = bus.publish(topic, "async");
          expect(sink.got).toStrictEqual([]);
          await publishing;
          await waitUntil(() => sink.got.length > 0, "delivery");
        }));

      it("keeps delivering to others when a subscriber throws", () =>
        withSubscriptions(async (subs) => {
          const { bus } = stores();
          const topic = unique("topic");
          let thrown = 0;
          const sink = recorder();
          subs.push(
            await bus.subscribe(topic, () => {
              thrown += 1;
              throw new Error("subscriber failure (expected by the test)");
            }),
            await bus.subscribe(topic, sink.onMessage),
          );
          await bus.publish(topic, 1);
          await bus.publish(topic, 2);
          await waitUntil(
            () => sink.got.length === 2 && thrown === 2,
            "delivery despite a throwing subscriber",
          );
          expect(sink.got).toStrictEqual([1, 2]);
        }));
    });
  });
}
