/**
 * The memory rate-limit store at `maxBuckets`: making room for a new bucket drops the least recently
 * used ones, a batch at a time, without walking every bucket for each new one.
 */
import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore, type TokenBucket } from "../src/index.ts";

const HOUR_MS = 3_600_000;
/** One call an hour: a bucket taken once stays empty (and stored) for the hour. */
const ONCE: TokenBucket = { limit: 1, periodMs: HOUR_MS, burst: 1, cost: 1 };
const key = (id: string) => ({ kind: "rate", id });

/**
 * Runs `fn` counting every step of every Map iterator (`keys`, `values`, `entries`, `for…of`) taken
 * meanwhile. `fn` must be synchronous up to its result: a memory store's `take` does all its work
 * before its promise is returned.
 */
function countingMapSteps<T>(fn: () => T): { result: T; steps: number } {
  const proto = Map.prototype as unknown as Record<PropertyKey, unknown>;
  const names: PropertyKey[] = ["keys", "values", "entries", Symbol.iterator];
  const originals = names.map((name) => proto[name] as (this: Map<unknown, unknown>) => Iterator<unknown>);
  let steps = 0;
  names.forEach((name, i) => {
    const original = originals[i] as (this: Map<unknown, unknown>) => Iterator<unknown>;
    proto[name] = function (this: Map<unknown, unknown>) {
      const inner = original.call(this);
      return {
        next: () => {
          steps += 1;
          return inner.next();
        },
        [Symbol.iterator]() {
          return this;
        },
      };
    };
  });
  try {
    return { result: fn(), steps };
  } finally {
    names.forEach((name, i) => {
      proto[name] = originals[i];
    });
  }
}

describe("MemoryRateLimitStore at maxBuckets", () => {
  it("a new bucket costs O(1) work, amortised, however many buckets are live", async () => {
    const maxBuckets = 1_000;
    const store = new MemoryRateLimitStore({ maxBuckets });
    for (let i = 0; i < maxBuckets; i++)
      expect((await store.take(key(`live-${i}`), ONCE)).allowed).toBe(true);
    let steps = 0;
    const N = 1_000;
    for (let i = 0; i < N; i++) {
      const counted = countingMapSteps(() => store.take(key(`new-${i}`), ONCE));
      steps += counted.steps;
      expect((await counted.result).allowed).toBe(true);
    }
    // Walking every bucket for each new one would be a million steps.
    expect(steps).toBeLessThanOrEqual(4 * N);
  });

  it("drops the least recently used: a bucket taken lately (even denied) stays, an idle one goes", async () => {
    const maxBuckets = 100;
    const store = new MemoryRateLimitStore({ maxBuckets });
    for (let i = 0; i < maxBuckets; i++) await store.take(key(`b-${i}`), ONCE);
    // b-0 is the oldest, but its caller keeps trying (and is denied): it is in use.
    expect((await store.take(key("b-0"), ONCE)).allowed).toBe(false);
    for (let i = 0; i < 10; i++) await store.take(key(`n-${i}`), ONCE);
    expect((await store.take(key("b-0"), ONCE)).allowed).toBe(false);
    // The newest buckets are all kept.
    for (let i = 0; i < 10; i++) expect((await store.take(key(`n-${i}`), ONCE)).allowed).toBe(false);
    for (let i = 50; i < maxBuckets; i++) expect((await store.take(key(`b-${i}`), ONCE)).allowed).toBe(false);
    // b-1, idle since it was first taken, was dropped: its caller starts again from a full bucket.
    expect((await store.take(key("b-1"), ONCE)).allowed).toBe(true);
  });
});
