/**
 * The rate-limit store beyond the battery: the script computes what `takeToken` computes, the
 * bucket is one key with a Redis expiry under the store's prefix, it runs by Redis's clock, a
 * take whose answer was lost is not retried, and an invalid bucket never reaches Redis.
 */
import type { TokenBucket } from "@portico/core";
import { StoreUnavailableError, storeKeyText, takeToken } from "@portico/core";
import { describe, expect, it, vi } from "vitest";
import { RedisError, RedisRateLimitStore } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, openClient } from "./_clients.ts";
import { scripted, useRawConnection } from "./_raw.ts";
import type { Resp } from "./_resp.ts";

const backends = useBackends();
const raw = useRawConnection(backends);

async function command(...args: string[]): Promise<Resp> {
  return (await raw.send([args]))[0] as Resp;
}

const integer = (reply: Resp) => (reply.kind === "integer" ? reply.value : Number.NaN);
const text = (reply: Resp) => (reply.kind === "bulk" ? reply.value.toString("utf8") : undefined);

/** Redis's clock in epoch ms. */
async function redisNow(): Promise<number> {
  const reply = await command("TIME");
  const [seconds, micros] = reply.kind === "array" ? reply.value.map((part) => Number(text(part))) : [];
  return (seconds as number) * 1000 + (micros as number) / 1000;
}

const HOUR_MS = 3_600_000;
let counter = 0;
const freshKey = (what: string) => ({ kind: "rate", id: `${what}-${++counter}` });

for (const flavour of FLAVOURS) {
  describe(`via ${flavour}`, () => {
    it("answers what takeToken answers, take after take", async () => {
      const opened = await openClient(flavour, backends.direct());
      try {
        const store = new RedisRateLimitStore(opened.client);
        const key = freshKey(`sequence-${flavour}`);
        // A token every 1428.57… ms (not a whole number), burst 4, takes of varying cost.
        const rule = (cost: number): TokenBucket => ({ limit: 7, periodMs: 10_000, burst: 4, cost });
        const name = `portico:r:${storeKeyText(key)}`;
        let tat: number | undefined;
        for (const cost of [1, 2, 1, 1, 3, 1, 4]) {
          // The script reads Redis's clock somewhere between these two readings of it; a token
          // falls due every 1.43 s, so on a loaded machine it may fall due between them: the
          // answer must be what takeToken answers at one of the two instants.
          const before = await redisNow();
          const got = await store.take(key, rule(cost));
          const after = await redisNow();
          const early = takeToken(tat, before, rule(cost));
          const late = takeToken(tat, after, rule(cost));
          const candidates = [early, late].filter(
            (step) => step.allowed === got.allowed && step.remaining === got.remaining,
          );
          expect(candidates, `cost ${cost}: ${JSON.stringify({ got, early, late })}`).not.toHaveLength(0);
          // Redis's instant lies between the two readings: the waits differ from the matching
          // answer's by at most the time between them (and a millisecond of rounding).
          const slack = after - before + 1;
          const step = candidates[0] as (typeof candidates)[number];
          expect(Math.abs(got.retryAfterMs - step.retryAfterMs)).toBeLessThanOrEqual(slack);
          expect(Math.abs(got.resetAfterMs - step.resetAfterMs)).toBeLessThanOrEqual(slack);
          for (const n of Object.values(got))
            if (typeof n === "number") expect(Number.isInteger(n)).toBe(true);
          // Carry on from the bucket Redis holds (a denied take writes nothing).
          const held = text(await command("GET", name));
          if (got.allowed) tat = Number(held);
          else expect(held === undefined ? undefined : Number(held)).toBe(tat);
        }
      } finally {
        await opened.close();
      }
    });
  });
}

describe("layout", () => {
  it("keeps a bucket as one string key, its theoretical arrival time, with a Redis expiry until it is full", async () => {
    const opened = await openClient("node-redis", backends.direct());
    try {
      const store = new RedisRateLimitStore(opened.client);
      const key = freshKey("layout");
      const name = `portico:r:${storeKeyText(key)}`;
      const rule: TokenBucket = { limit: 10, periodMs: HOUR_MS, burst: 10, cost: 1 };
      const before = await redisNow();
      expect(await store.take(key, rule)).toMatchObject({ allowed: true, remaining: 9 });
      const tat = Number(text(await command("GET", name)));
      expect(tat).toBeGreaterThanOrEqual(before + HOUR_MS / 10);
      expect(tat).toBeLessThanOrEqual((await redisNow()) + HOUR_MS / 10);
      const first = integer(await command("PTTL", name));
      expect(first).toBeGreaterThan(HOUR_MS / 10 - 5_000);
      expect(first).toBeLessThanOrEqual(HOUR_MS / 10);
      const second = await store.take(key, rule);
      const ttl = integer(await command("PTTL", name));
      expect(ttl).toBeGreaterThan(first);
      expect(ttl).toBeLessThanOrEqual(second.resetAfterMs);
      expect(ttl).toBeLessThanOrEqual((2 * HOUR_MS) / 10);
      // A denied take writes nothing.
      const full = { ...rule, cost: 9 };
      expect(await store.take(key, full)).toMatchObject({ allowed: false, remaining: 8 });
      expect(Number(text(await command("GET", name)))).toBe(tat + HOUR_MS / 10);
    } finally {
      await opened.close();
    }
  });

  it("honours keyPrefix: another prefix is another bucket", async () => {
    const opened = await openClient("node-redis", backends.direct());
    try {
      const key = freshKey("prefix");
      const rule: TokenBucket = { limit: 1, periodMs: HOUR_MS, burst: 1, cost: 1 };
      const mine = new RedisRateLimitStore(opened.client, { keyPrefix: "app-a:" });
      const other = new RedisRateLimitStore(opened.client, { keyPrefix: "app-b:" });
      expect((await mine.take(key, rule)).allowed).toBe(true);
      expect((await mine.take(key, rule)).allowed).toBe(false);
      expect((await other.take(key, rule)).allowed).toBe(true);
      const names = ["app-a:", "app-b:", "portico:"].map((prefix) => `${prefix}r:${storeKeyText(key)}`);
      expect(await Promise.all(names.map(async (name) => integer(await command("EXISTS", name))))).toEqual([
        1, 1, 0,
      ]);
    } finally {
      await opened.close();
    }
  });

  it("runs by Redis's clock, not the instance's", async () => {
    const opened = await openClient("ioredis", backends.direct());
    const realNow = Date.now;
    const skew = vi.spyOn(Date, "now");
    try {
      const store = new RedisRateLimitStore(opened.client);
      const key = freshKey("clock");
      const rule: TokenBucket = { limit: 10, periodMs: HOUR_MS, burst: 10, cost: 1 };
      // This instance's clock is a day ahead; the bucket is not (a day would refill it).
      skew.mockImplementation(() => realNow() + 24 * HOUR_MS);
      expect(await store.take(key, { ...rule, cost: 10 })).toMatchObject({ allowed: true, remaining: 0 });
      const denied = await store.take(key, rule);
      expect(denied).toMatchObject({ allowed: false, remaining: 0 });
      expect(denied.resetAfterMs).toBeGreaterThan(HOUR_MS - 60_000);
      skew.mockRestore();
      const tat = Number(text(await command("GET", `portico:r:${storeKeyText(key)}`)));
      expect(Math.abs(tat - (Date.now() + HOUR_MS))).toBeLessThan(60_000);
    } finally {
      skew.mockRestore();
      await opened.close();
    }
  });
});

describe("commands", () => {
  const noMore = () => Promise.reject(new Error("no answer scripted"));

  const rule: TokenBucket = { limit: 10, periodMs: HOUR_MS, burst: 10, cost: 1 };

  it("sends one script per take, and does not retry a take whose answer was lost (it would take twice)", async () => {
    const connection = scripted([() => Promise.reject(new Error("connection reset"))], noMore);
    const store = new RedisRateLimitStore(connection, { retries: 5 });
    await expect(store.take({ kind: "rate" }, rule)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(connection.calls).toHaveLength(1);
    const [name, , keys, key, ...args] = connection.calls[0] as string[];
    expect([name, keys, key, args]).toStrictEqual([
      "EVALSHA",
      "1",
      "portico:r:portico:rate",
      ["10", "3600000", "10", "1"],
    ]);
  });

  it("retries a take Redis refused before running it (BUSY)", async () => {
    const connection = scripted(
      [
        () => Promise.reject(new RedisError("BUSY Redis is busy running a script", "BUSY")),
        () => Promise.resolve([1, 9, 0, 360_000]),
      ],
      noMore,
    );
    const store = new RedisRateLimitStore(connection);
    expect(await store.take({ kind: "rate" }, rule)).toStrictEqual({
      allowed: true,
      remaining: 9,
      retryAfterMs: 0,
      resetAfterMs: 360_000,
    });
    expect(connection.calls).toHaveLength(2);
  });

  it("throws a TypeError for an invalid bucket without a round trip", async () => {
    const connection = scripted([], noMore);
    const store = new RedisRateLimitStore(connection);
    const invalid: TokenBucket[] = [
      { ...rule, limit: 0 },
      { ...rule, periodMs: Number.NaN },
      { ...rule, periodMs: Number.POSITIVE_INFINITY },
      { ...rule, burst: 0.5 },
      { ...rule, cost: 0 },
      { ...rule, cost: 11 },
    ];
    for (const bucket of invalid) {
      await expect(store.take({ kind: "rate" }, bucket)).rejects.toBeInstanceOf(TypeError);
    }
    expect(connection.calls).toHaveLength(0);
  });
});
