/**
 * The store battery's rate-limit part: `stores.limits` (a {@link RateLimitStore}) takes tokens
 * atomically. A full bucket admits exactly `burst` concurrent takes of many racing callers and
 * denies the rest with a retry hint; buckets under different keys are apart; a bucket refills at
 * `limit / periodMs`; a take costing more than one token counts for more. Skipped for a store
 * family without one.
 */
import type { RateLimitStore, Stores, TokenBucket } from "@portico/core";
import { expect, it } from "vitest";
import { keysDifferingByOnePart, unique } from "./_store-battery-kit.ts";
import { expectRemainingCountdown } from "./remaining-countdown.ts";
import { sleep } from "./sleep.ts";

const HOUR_MS = 3_600_000;

export function limitTests(stores: () => Stores): void {
  const limits = (): RateLimitStore | undefined => stores().limits;
  const bucket = (limit: number, periodMs: number, burst = limit, cost = 1): TokenBucket => ({
    limit,
    periodMs,
    burst,
    cost,
  });

  it("limits: a full bucket admits exactly its burst of concurrent takes, then denies with a retry hint", async (t) => {
    const store = limits();
    if (store === undefined) return t.skip();
    const key = { kind: "rate", id: unique("burst") };
    const rule = bucket(10, HOUR_MS);
    const takes = await Promise.all(Array.from({ length: 30 }, () => store.take(key, rule)));
    const admitted = takes.filter((take) => take.allowed);
    expect(admitted).toHaveLength(10);
    // Each admitted take leaves one fewer: 9 … 0. The takes run concurrently and each reads its
    // own clock: one that read it a millisecond before the bucket's first take landed sees a hair
    // less room and reports one fewer (never more), so the i-th smallest is i or i − 1.
    expectRemainingCountdown(admitted.map((take) => take.remaining));
    for (const take of admitted) expect(take.retryAfterMs).toBe(0);
    for (const take of takes.filter((x) => !x.allowed)) {
      expect(take.remaining).toBe(0);
      // One token comes back every 6 minutes; the next one is at most that far away.
      expect(take.retryAfterMs).toBeGreaterThan(0);
      // (plus the lag of a take whose clock read behind the others', as for resetAfterMs below).
      expect(take.retryAfterMs).toBeLessThanOrEqual(HOUR_MS / 10 + 1_000);
      // At least nine tokens gone: a take whose clock reads a millisecond behind the others' (they
      // run concurrently) may see the last one as not yet in reach, and is denied a hair early.
      expect(take.resetAfterMs).toBeGreaterThan(HOUR_MS - HOUR_MS / 10 - 1_000);
    }
  });

  it("limits: keys that differ in one part are different buckets", async (t) => {
    const store = limits();
    if (store === undefined) return t.skip();
    const rule = bucket(1, HOUR_MS);
    for (const key of keysDifferingByOnePart("rate")) {
      expect((await store.take(key, rule)).allowed).toBe(true);
    }
    for (const key of keysDifferingByOnePart("rate-again")) {
      const first = await store.take(key, rule);
      const second = await store.take(key, rule);
      expect([first.allowed, second.allowed]).toEqual([true, false]);
    }
  });

  it("limits: an emptied bucket refills at limit per period", async (t) => {
    const store = limits();
    if (store === undefined) return t.skip();
    const key = { kind: "rate", id: unique("refill") };
    // 5 per 3 s: a token every 600 ms (room for a slow store between two takes).
    const rule = bucket(5, 3_000);
    for (let i = 0; i < 5; i += 1) expect((await store.take(key, rule)).allowed).toBe(true);
    const denied = await store.take(key, rule);
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(600);
    await sleep(denied.retryAfterMs + 200);
    expect((await store.take(key, rule)).allowed).toBe(true);
    expect((await store.take(key, rule)).allowed).toBe(false);
    // After a whole period the bucket is full again.
    await sleep(3_300);
    const full = await Promise.all(Array.from({ length: 7 }, () => store.take(key, rule)));
    expect(full.filter((take) => take.allowed)).toHaveLength(5);
  });

  it("limits: a burst below the limit, and a take costing several tokens", async (t) => {
    const store = limits();
    if (store === undefined) return t.skip();
    const small = { kind: "rate", id: unique("small-burst") };
    const rule = bucket(100, HOUR_MS, 3);
    const takes = await Promise.all(Array.from({ length: 6 }, () => store.take(small, rule)));
    expect(takes.filter((take) => take.allowed)).toHaveLength(3);
    const costly = { kind: "rate", id: unique("cost") };
    expect(await store.take(costly, bucket(10, HOUR_MS, 10, 4))).toMatchObject({
      allowed: true,
      remaining: 6,
    });
    expect(await store.take(costly, bucket(10, HOUR_MS, 10, 4))).toMatchObject({
      allowed: true,
      remaining: 2,
    });
    const denied = await store.take(costly, bucket(10, HOUR_MS, 10, 4));
    expect(denied).toMatchObject({ allowed: false, remaining: 2 });
    // Two more tokens are needed: two intervals of 6 minutes, less what passed.
    expect(denied.retryAfterMs).toBeGreaterThan(HOUR_MS / 10);
    expect(denied.retryAfterMs).toBeLessThanOrEqual((2 * HOUR_MS) / 10 + 1);
    expect(await store.take(costly, bucket(10, HOUR_MS, 10, 2))).toMatchObject({
      allowed: true,
      remaining: 0,
    });
  });
}
