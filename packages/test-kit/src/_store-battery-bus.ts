/** The Bus part of the store battery (`describeStore`). */

import type { StoreKey, Stores, Subscription } from "@portico/core";
import { describe, expect, it } from "vitest";
import {
  freshTopic,
  keysDifferingByOnePart,
  keysOfEveryShape,
  recorder,
  SAMPLES,
  unique,
  waitUntil,
} from "./_store-battery-kit.ts";

async function withSubscriptions(run: (subscriptions: Subscription[]) => Promise<void>): Promise<void> {
  const subscriptions: Subscription[] = [];
  try {
    await run(subscriptions);
  } finally {
    await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
  }
}

export function busTests(stores: () => Stores): void {
  describe("Bus", () => {
    it("delivers a message published after subscribe resolves", () =>
      withSubscriptions(async (subs) => {
        const { bus } = stores();
        const topic = freshTopic("topic");
        const sink = recorder();
        subs.push(await bus.subscribe(topic, sink.onMessage));
        await bus.publish(topic, SAMPLES.mixed!);
        await waitUntil(() => sink.got.length > 0, "delivery");
        expect(sink.got).toStrictEqual([SAMPLES.mixed]);
      }));

    it("delivers to every subscriber of the topic", () =>
      withSubscriptions(async (subs) => {
        const { bus } = stores();
        const topic = freshTopic("topic");
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
        const session = unique("topic");
        const topics: StoreKey[] = [
          { kind: "iso", session },
          { kind: "iso", session, id: "x" },
          { kind: "iso", session: `${session}x` },
        ];
        const sinks = topics.map(() => recorder());
        for (const [i, topic] of topics.entries()) subs.push(await bus.subscribe(topic, sinks[i]!.onMessage));
        for (const [i, topic] of topics.entries()) await bus.publish(topic, i);
        await waitUntil(() => sinks.every((sink) => sink.got.length > 0), "delivery on every topic");
        for (const [i] of topics.entries()) expect(sinks[i]!.got).toStrictEqual([i]);
      }));

    it("takes topics with and without session and id", () =>
      withSubscriptions(async (subs) => {
        const { bus } = stores();
        const topics = Object.entries(keysOfEveryShape("topic-shape"));
        const sinks = topics.map(() => recorder());
        for (const [i, [, topic]] of topics.entries())
          subs.push(await bus.subscribe(topic, sinks[i]!.onMessage));
        for (const [shape, topic] of topics) await bus.publish(topic, shape);
        await waitUntil(() => sinks.every((sink) => sink.got.length > 0), "delivery on every topic");
        for (const [i, [shape]] of topics.entries()) expect(sinks[i]!.got, shape).toStrictEqual([shape]);
      }));

    it("keeps topics apart that differ only in kind, session or id", () =>
      withSubscriptions(async (subs) => {
        const { bus } = stores();
        const topics = keysDifferingByOnePart("topic-part");
        const sinks = topics.map(() => recorder());
        for (const [i, topic] of topics.entries()) subs.push(await bus.subscribe(topic, sinks[i]!.onMessage));
        for (const [i, topic] of topics.entries()) await bus.publish(topic, i);
        await waitUntil(() => sinks.every((sink) => sink.got.length > 0), "delivery on every topic");
        // A last message on each topic: nothing published to another one has arrived in between.
        for (const [i, topic] of topics.entries()) await bus.publish(topic, -i - 1);
        await waitUntil(() => sinks.every((sink) => sink.got.length > 1), "the last message on every topic");
        for (const [i, topic] of topics.entries()) {
          expect(sinks[i]!.got, JSON.stringify(topic)).toStrictEqual([i, -i - 1]);
        }
      }));

    it("stops delivery after unsubscribe, and unsubscribe is idempotent", () =>
      withSubscriptions(async (subs) => {
        const { bus } = stores();
        const topic = freshTopic("topic");
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
        const topic = freshTopic("topic");
        await expect(bus.publish(topic, "nobody listens")).resolves.toBeUndefined();
        const sink = recorder();
        subs.push(await bus.subscribe(topic, sink.onMessage));
        await bus.publish(topic, "someone listens");
        await waitUntil(() => sink.got.includes("someone listens"), "delivery after subscribing");
      }));

    it("delivers one publisher's messages to a topic in publish order", () =>
      withSubscriptions(async (subs) => {
        const { bus } = stores();
        const topic = freshTopic("topic");
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
        const topic = freshTopic("topic");
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
        const topic = freshTopic("topic");
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
}
