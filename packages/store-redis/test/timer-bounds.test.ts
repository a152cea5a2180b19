/**
 * Durations no timer can wait. `setTimeout` given more than 2^31−1 ms (or Infinity) fires after
 * 1 ms, so `timeoutMs: 3e9` would fail every store call at once and `pollMs: 3e9` would make the
 * polling bus poll without pause. Such values are refused when the store or bus is made.
 *
 * Redis is a stand-in connection here: what is under test happens before Redis matters.
 */
import { isStoreUnavailable } from "@portico/core";
import { describe, expect, it } from "vitest";
import {
  type RedisConnection,
  RedisEventStore,
  RedisPollingBus,
  RedisPubSubBus,
  RedisRateLimitStore,
  RedisSessionStore,
  redisStores,
} from "../src/index.ts";

const MAX = 2_147_483_647;
const bound = (min: number) => `must be a finite number of ms from ${min} to ${MAX} (about 24.8 days)`;

/** A stand-in connection answering every command with `null` after `delayMs`; it counts the commands. */
function standIn(delayMs = 0): { connection: RedisConnection; sent: string[][] } {
  const sent: string[][] = [];
  const connection: RedisConnection = {
    async send(command) {
      sent.push(command);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return null;
    },
    subscriber: () => ({ subscribe: async () => {}, unsubscribe: async () => {}, close: async () => {} }),
  };
  return { connection, sent };
}

/** `make()`'s result, or what it threw as `Name: message`. */
async function outcomeOf(make: () => Promise<string> | string): Promise<string> {
  try {
    return await make();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe("timeoutMs", () => {
  it("refuses a timeout no timer can keep, instead of failing every call at once", async () => {
    const { connection } = standIn(20);
    const outcome = await outcomeOf(async () => {
      const sessions = new RedisSessionStore(connection, { timeoutMs: 3e9, primaryReads: false });
      const answer = await sessions.get({ kind: "k" }).then(
        () => "answered",
        (error: Error) => (isStoreUnavailable(error) ? `unavailable (${error.message})` : error.message),
      );
      return `accepted; a read answered in 20 ms was ${answer}`;
    });
    expect(outcome).toBe(`RangeError: timeoutMs ${bound(1)}, got 3000000000`);
  });

  it("is checked by every store and bus; takes 1 to 2^31−1", () => {
    const { connection } = standIn();
    const makers: [string, (timeoutMs: number) => unknown][] = [
      ["sessions", (timeoutMs) => new RedisSessionStore(connection, { timeoutMs })],
      ["events", (timeoutMs) => new RedisEventStore(connection, { timeoutMs })],
      ["limits", (timeoutMs) => new RedisRateLimitStore(connection, { timeoutMs })],
      ["polling bus", (timeoutMs) => new RedisPollingBus(connection, { timeoutMs })],
      ["pub/sub bus", (timeoutMs) => new RedisPubSubBus(connection, { timeoutMs })],
      ["redisStores", (timeoutMs) => redisStores({ client: connection, timeoutMs })],
    ];
    for (const [what, make] of makers) {
      for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "2000"]) {
        expect(() => make(bad as number), `${what} ${String(bad)}`).toThrow(
          `timeoutMs ${bound(1)}, got ${String(bad)}`,
        );
      }
      expect(() => make(MAX), what).not.toThrow();
    }
  });
});

describe("the polling bus", () => {
  it("refuses a poll interval no timer can wait, instead of polling without pause", async () => {
    const { connection, sent } = standIn();
    const outcome = await outcomeOf(async () => {
      const bus = new RedisPollingBus(connection, { pollMs: 3e9, onError: () => {} });
      const subscription = await bus.subscribe({ kind: "topic" }, () => {});
      const before = sent.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const polls = sent.length - before;
      await subscription.unsubscribe();
      await bus.close();
      return `accepted; ${polls > 10 ? "more than 10" : polls} polls in 100 ms`;
    });
    expect(outcome).toBe(`RangeError: pollMs ${bound(1)}, got 3000000000`);
  });

  it("refuses Infinity, NaN, 0, negatives, under the name the option was given", () => {
    const { connection } = standIn();
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, 0, -1]) {
      expect(() => new RedisPollingBus(connection, { pollMs: bad }), String(bad)).toThrow(
        `pollMs ${bound(1)}, got ${bad}`,
      );
      // Checked whichever bus the stores pick: the option was given.
      for (const bus of ["poll", "pubsub"] as const) {
        expect(() => redisStores({ client: connection, bus, busPollMs: bad }), `${bus} ${bad}`).toThrow(
          `busPollMs ${bound(1)}, got ${bad}`,
        );
      }
    }
    expect(() => new RedisPollingBus(connection, { pollMs: MAX })).not.toThrow();
  });
});
