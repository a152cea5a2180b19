/**
 * Rate-limit buckets (`DurableObjectRateLimitStore`) beyond the store battery: concurrent takes from
 * several store instances admit exactly the burst, an emptied bucket's row expires with the alarm
 * (and an expired row the alarm has not deleted yet reads as a full bucket), every bucket has an
 * object of its own, a bucket is validated before any call, and a failed take is not retried.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { isStoreUnavailable, type StoreKey, storeKeyText, type TokenBucket } from "@portico/core";
import { describe, expect, it } from "vitest";
import { DurableObjectRateLimitStore, durableObjectStores } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

const ns = testEnv.MCP_SESSIONS;
const objectNamed = (name: string) => ns.get(ns.idFromName(name));
const bucketObject = (key: StoreKey) => objectNamed(`limit:${storeKeyText(key)}`);
let counter = 0;
const unique = (label: string) => `${label}-${crypto.randomUUID()}-${++counter}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const HOUR_MS = 3_600_000;

/** A `portico_limits` row (a type alias: SQL rows must be assignable to an index signature). */
type LimitRow = { key: string; tat: number; expires_at: number };

/** The bucket rows stored in the object called `name` (none in an object never written to: no tables). */
function limitRows(name: string): Promise<LimitRow[]> {
  return runInDurableObject(objectNamed(name), (_instance, state) => {
    const sql = state.storage.sql;
    if (sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'portico_limits'").toArray().length === 0)
      return [];
    return sql.exec<LimitRow>("SELECT key, tat, expires_at FROM portico_limits ORDER BY key").toArray();
  });
}

describe("DurableObjectRateLimitStore", () => {
  it("admits exactly the burst of 40 concurrent takes from several instances, each remaining count once", async () => {
    // Four store instances, as four Workers would have: the bucket's object serialises them all.
    const stores = Array.from({ length: 4 }, () => new DurableObjectRateLimitStore(ns));
    const key: StoreKey = { kind: "rate", id: unique("concurrent") };
    const rule: TokenBucket = { limit: 10, periodMs: HOUR_MS, burst: 10, cost: 1 };
    const takes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (stores[i % stores.length] as DurableObjectRateLimitStore).take(key, rule),
      ),
    );
    const admitted = takes.filter((take) => take.allowed);
    expect(admitted).toHaveLength(10);
    expect(admitted.map((take) => take.remaining).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ]);
    for (const take of takes.filter((x) => !x.allowed)) {
      expect(take).toMatchObject({ allowed: false, remaining: 0 });
      expect(take.retryAfterMs).toBeGreaterThan(0);
    }
    // One row for the bucket: ten intervals of 6 minutes ahead, kept until then.
    const rows = await limitRows(`limit:${storeKeyText(key)}`);
    expect(rows).toHaveLength(1);
    const [row] = rows as [LimitRow];
    expect(row.key).toBe(storeKeyText(key));
    expect(row.tat).toBeGreaterThan(Date.now() + HOUR_MS - 60_000);
    expect(row.expires_at).toBeGreaterThanOrEqual(row.tat);
  });

  it("a denied take writes nothing", async () => {
    const { limits } = durableObjectStores(ns);
    const key: StoreKey = { kind: "rate", id: unique("denied") };
    const rule: TokenBucket = { limit: 1, periodMs: HOUR_MS, burst: 1, cost: 1 };
    expect((await limits.take(key, rule)).allowed).toBe(true);
    const before = await limitRows(`limit:${storeKeyText(key)}`);
    expect((await limits.take(key, rule)).allowed).toBe(false);
    expect(await limitRows(`limit:${storeKeyText(key)}`)).toEqual(before);
  });

  it("an emptied bucket is full again after its period; the alarm then deletes its row and the object's storage", async () => {
    const { limits } = durableObjectStores(ns);
    const key: StoreKey = { kind: "rate", id: unique("expiry") };
    // 3 per 1.5 s: a token every 500 ms (the takes and the reads below fit well inside one).
    const rule: TokenBucket = { limit: 3, periodMs: 1_500, burst: 3, cost: 1 };
    for (let i = 0; i < 3; i += 1) expect((await limits.take(key, rule)).allowed).toBe(true);
    const denied = await limits.take(key, rule);
    expect(denied.allowed).toBe(false);
    expect(denied.resetAfterMs).toBeGreaterThan(0);
    expect(denied.resetAfterMs).toBeLessThanOrEqual(1_500);
    const object = bucketObject(key);
    const stored = await runInDurableObject(object, async (_instance, state) => ({
      rows: state.storage.sql.exec("SELECT key FROM portico_limits").toArray().length,
      alarm: await state.storage.getAlarm(),
    }));
    expect(stored.rows).toBe(1);
    expect(stored.alarm).not.toBeNull();

    await sleep(denied.resetAfterMs + 100);
    // The alarm may have fired on its own already; run it now if not.
    await runDurableObjectAlarm(object);
    const left = await runInDurableObject(object, async (_instance, state) => ({
      // The storage itself is gone, not just the row: empty tables are billed too.
      tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name LIKE 'portico%'").toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(left).toEqual({ tables: [], alarm: null });

    // Full again: the whole burst at once, and no more.
    const full = await Promise.all(Array.from({ length: 5 }, () => limits.take(key, rule)));
    expect(full.filter((take) => take.allowed)).toHaveLength(3);
  });

  it("reads an expired row the alarm has not deleted yet as a full bucket", async () => {
    const { limits } = durableObjectStores(ns);
    const key: StoreKey = { kind: "rate", id: unique("stale") };
    const rule: TokenBucket = { limit: 5, periodMs: HOUR_MS, burst: 5, cost: 1 };
    expect(await limits.take(key, rule)).toMatchObject({ allowed: true, remaining: 4 });
    // Age the row: an arrival time an hour ahead, but an expiry already past.
    await runInDurableObject(bucketObject(key), (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE portico_limits SET tat = ?, expires_at = ? WHERE key = ?",
        Date.now() + HOUR_MS,
        Date.now() - 1,
        storeKeyText(key),
      );
    });
    expect(await limits.take(key, rule)).toMatchObject({ allowed: true, remaining: 4, retryAfterMs: 0 });
  });

  it("gives every bucket an object of its own, with a session or without, apart from that session's object", async () => {
    const { limits, sessions } = durableObjectStores(ns);
    const sessionId = unique("s");
    const keys: StoreKey[] = [
      { kind: "rate", id: unique("user") },
      { kind: "rate", id: unique("tool") },
      { kind: "rate", session: sessionId },
      { kind: "rate", session: sessionId, id: "tools/call" },
    ];
    const rule: TokenBucket = { limit: 1, periodMs: HOUR_MS, burst: 1, cost: 1 };
    await sessions.create({ kind: "session", session: sessionId }, "record", 60_000);
    for (const key of keys) expect((await limits.take(key, rule)).allowed).toBe(true);
    for (const key of keys) {
      const rows = await limitRows(`limit:${storeKeyText(key)}`);
      expect(rows.map((row) => row.key)).toEqual([storeKeyText(key)]);
    }
    // Neither the session's object nor the object of a SessionStore key of the same text holds a bucket.
    expect(await limitRows(`session:${sessionId}`)).toEqual([]);
    expect(await limitRows(`key:${storeKeyText(keys[0] as StoreKey)}`)).toEqual([]);
    // Each bucket was emptied on its own: a second take on each is denied.
    for (const key of keys) expect((await limits.take(key, rule)).allowed).toBe(false);
  });

  it("validates the bucket before any call; a take that fails transiently is not retried", async () => {
    let calls = 0;
    const failing = {
      idFromName: (name: string) => ns.idFromName(name),
      get: () => ({
        takeToken: async () => {
          calls += 1;
          throw Object.assign(new Error("Durable Object reset because its code was updated."), {
            retryable: true,
          });
        },
      }),
    } as unknown as typeof ns;
    const store = new DurableObjectRateLimitStore(failing);
    const key: StoreKey = { kind: "rate", id: "x" };
    for (const bad of [
      { limit: 0, periodMs: 1000, burst: 1, cost: 1 },
      { limit: 1, periodMs: Number.NaN, burst: 1, cost: 1 },
      { limit: 1, periodMs: 1000, burst: 0, cost: 1 },
      { limit: 1, periodMs: 1000, burst: 2, cost: 3 },
    ]) {
      await expect(store.take(key, bad)).rejects.toBeInstanceOf(TypeError);
    }
    expect(calls).toBe(0);
    const failed = await store
      .take(key, { limit: 1, periodMs: 1000, burst: 1, cost: 1 })
      .catch((error: unknown) => error);
    expect(isStoreUnavailable(failed)).toBe(true);
    expect(calls).toBe(1);
  });
});
