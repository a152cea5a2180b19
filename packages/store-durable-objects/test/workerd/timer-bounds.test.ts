/**
 * Durations out of range. `setTimeout` given more than 2^31−1 ms fires after 1 ms on Node and in
 * browsers, so a bus `reconnectMs` beyond it is refused; an event lifetime is refused past the
 * same bound, or when not finite. And a valid but very long record lifetime (the core's
 * `sessionTtlMs` may be any finite length) must not break the object: its alarm API refuses
 * dates after the year 2189, so an alarm is never set further ahead than the bound, and the next
 * one is set when it fires.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { StoreKey } from "@portico/core";
import { describe, expect, it } from "vitest";
import { durableObjectStores } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

const MAX = 2_147_483_647;
const ns = testEnv.MCP_SESSIONS;
const bound = (min: number) => `must be a finite number of ms from ${min} to ${MAX} (about 24.8 days)`;

/** What `make()` came to, or what it threw as `Name: message`. */
async function outcomeOf(make: () => Promise<string> | string): Promise<string> {
  try {
    return await make();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe("reconnectMs", () => {
  it("refuses a delay no timer can wait, naming the bound", async () => {
    const outcome = await outcomeOf(() => {
      durableObjectStores(ns, { reconnectMs: 3e9 });
      return "accepted";
    });
    expect(outcome).toBe(`RangeError: reconnectMs ${bound(1)}, got 3000000000`);
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "100"]) {
      expect(() => durableObjectStores(ns, { reconnectMs: bad as number }), String(bad)).toThrow(
        `reconnectMs ${bound(1)}, got ${String(bad)}`,
      );
    }
    expect(() => durableObjectStores(ns, { reconnectMs: MAX })).not.toThrow();
  });
});

describe("eventTtlMs", () => {
  it("refuses a lifetime past the bound, instead of failing every append", async () => {
    const outcome = await outcomeOf(async () => {
      const { events } = durableObjectStores(ns, { eventTtlMs: 1e13 });
      const appended = await events.append(`s-${crypto.randomUUID()}`, "stream", "one").then(
        () => "stored",
        (error: Error) => `refused (${error.message})`,
      );
      return `accepted; an append was ${appended}`;
    });
    expect(outcome).toBe(`RangeError: eventTtlMs ${bound(1)}, got 10000000000000`);
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "86400000"]) {
      expect(() => durableObjectStores(ns, { eventTtlMs: bad as number }), String(bad)).toThrow(
        `eventTtlMs ${bound(1)}, got ${String(bad)}`,
      );
    }
    const { events } = durableObjectStores(ns, { eventTtlMs: MAX });
    expect(await events.append(`s-${crypto.randomUUID()}`, "stream", "one")).toMatch(/^stream\//);
  });
});

describe("a record lifetime longer than an alarm can be set ahead", () => {
  it("is stored, and its alarm is set within the bound, then again when it fires", async () => {
    const { sessions } = durableObjectStores(ns);
    const sessionId = `s-${crypto.randomUUID()}`;
    const key: StoreKey = { kind: "session", session: sessionId };
    const ttlMs = 1e13; // about 317 years: past the year 2189
    const created = await sessions.create(key, { state: 1 }, ttlMs).then(
      (value) => String(value),
      (error: Error) => `${error.name}: ${error.message}`,
    );
    expect(created).toBe("true");
    const record = await sessions.get(key);
    expect(record?.expiresAt).toBeGreaterThan(Date.now() + ttlMs - 60_000);
    const object = ns.get(ns.idFromName(`session:${sessionId}`));
    const alarmAt = () => runInDurableObject(object, (_instance, state) => state.storage.getAlarm());
    const first = await alarmAt();
    expect(first).not.toBeNull();
    expect(first as number).toBeLessThanOrEqual(Date.now() + MAX);
    // The alarm fires long before the record expires: the record stays, and a new alarm is set.
    await runDurableObjectAlarm(object);
    expect(await sessions.get(key)).toMatchObject({ value: { state: 1 }, version: 1 });
    expect(await alarmAt()).not.toBeNull();
    expect(await sessions.update(key, 1, { state: 2 }, ttlMs)).toBe(true);
  });
});
