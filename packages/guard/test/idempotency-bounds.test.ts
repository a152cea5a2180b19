/**
 * What one caller's idempotency keys may hold of the session store every caller shares: a key only
 * for a tool the server has, so many new keys per caller (`keysPerCaller`), and so many bytes of
 * kept results (a token covers 16 KiB).
 */
import {
  MemoryRateLimitStore,
  memoryStores,
  PorticoError,
  type SessionStore,
  type Stores,
} from "@portico/core";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_META, IDEMPOTENCY_META, idempotent, RATE_LIMIT_META } from "../src/index.ts";
import { callTool, testServer, URL_ } from "./_server.ts";

const withKey = (key: string) => ({ _meta: { [IDEMPOTENCY_KEY_META]: key } });
const A = { address: "198.51.100.1" };
const B = { address: "198.51.100.2" };

/**
 * The stores, counting the idempotency records the session store was asked to create, and the
 * results it kept (records settled as `done`).
 */
function countingStores(base: Stores = memoryStores()): {
  stores: Stores;
  created: () => number;
  kept: () => number;
} {
  let created = 0;
  let kept = 0;
  const sessions: SessionStore = {
    get: (key) => base.sessions.get(key),
    create: (key, value, ttl) => {
      if (key.kind === "idempotency") created += 1;
      return base.sessions.create(key, value, ttl);
    },
    update: async (key, version, value, ttl) => {
      const written = await base.sessions.update(key, version, value, ttl);
      if (written && key.kind === "idempotency" && (value as { s?: string }).s === "done") kept += 1;
      return written;
    },
    delete: (key) => base.sessions.delete(key),
  };
  return { stores: { ...base, sessions }, created: () => created, kept: () => kept };
}

describe("idempotent: bounded per caller", () => {
  it("takes no key for a tool the server does not have (the call fails as unknown, nothing is kept)", async () => {
    const { stores, created, kept } = countingStores();
    const { handler } = testServer({ stores, use: [idempotent()] });
    for (let i = 0; i < 5; i++) {
      const answer = await callTool(handler, `no-such-tool-${i}`, {}, A, withKey(`k${i}`));
      expect(answer.error).toMatchObject({ code: -32602 });
      expect(answer.error?.message).toMatch(/Unknown tool/);
    }
    expect(created()).toBe(0);
    // A registered tool still takes its key.
    await callTool(handler, "pay", {}, A, withKey("k0"));
    expect([created(), kept()]).toEqual([1, 1]);
  });

  it("over keysPerCaller, a new key is refused as rateLimit refuses, runs nothing and keeps nothing; replays and other callers go on", async () => {
    // The allowance's clock (the session store's records expire in real time).
    let now = 1_000_000_000;
    const { stores, kept } = countingStores({
      ...memoryStores(),
      limits: new MemoryRateLimitStore({ now: () => now }),
    });
    const { handler, runs } = testServer({
      stores,
      payUse: [idempotent({ keysPerCaller: { limit: 3, window: "hour" } })],
    });
    for (const k of ["k1", "k2", "k3"]) {
      expect((await callTool(handler, "pay", { amount: k }, A, withKey(k))).result.isError).toBeUndefined();
    }
    const refused = await callTool(handler, "pay", { amount: "k4" }, A, withKey("k4"));
    expect(refused.result.isError).toBe(true);
    expect(refused.result.content[0].text).toMatch(
      /^Idempotency key limit reached for tool "pay" \(3 new idempotency keys per hour per caller\); nothing was run\. Try again in \d+ s\.$/,
    );
    const facts = refused.result._meta[RATE_LIMIT_META];
    expect(facts).toMatchObject({ limit: 3, windowMs: 3_600_000, burst: 3, remaining: 0 });
    expect(facts.retryAfterMs).toBeGreaterThan(0);
    expect(facts.retryAfterMs).toBeLessThanOrEqual(1_200_000);
    expect(runs.pay).toHaveLength(3);
    // A key already taken is replayed as ever: a retry costs nothing.
    const replay = await callTool(handler, "pay", { amount: "k1" }, A, withKey("k1"));
    expect(replay.result._meta[IDEMPOTENCY_META]).toEqual({ key: "k1", replayed: true });
    // Another caller has its own allowance.
    expect(
      (await callTool(handler, "pay", { amount: "k4" }, B, withKey("k4"))).result.isError,
    ).toBeUndefined();
    expect(runs.pay).toHaveLength(4);
    // The refused key was given back at once: once a token has come back (20 minutes), it runs.
    const again = await callTool(handler, "pay", { amount: "k4" }, A, withKey("k4"));
    expect(again.result._meta[RATE_LIMIT_META]).toMatchObject({ remaining: 0 });
    now += 1_200_000;
    const later = await callTool(handler, "pay", { amount: "k4" }, A, withKey("k4"));
    expect(later.result.isError).toBeUndefined();
    expect(later.result._meta[IDEMPOTENCY_META]).toBeUndefined();
    expect(runs.pay).toHaveLength(5);
    // Calls without a key are not counted.
    for (let i = 0; i < 5; i++)
      expect((await callTool(handler, "pay", {}, A)).result.isError).toBeUndefined();
    // Only the five keys that ran were kept.
    expect(kept()).toBe(5);
  });

  it("by default a caller takes 1,000 new keys an hour: a flood of fresh keys cannot fill the store others need", async () => {
    const { handler, runs, stores } = testServer({
      stores: memoryStores({ maxRecords: 1_050 }),
      use: [idempotent()],
    });
    let refused = 0;
    for (let i = 0; i < 1_100; i++) {
      const answer = await callTool(handler, "echo", {}, A, withKey(`k${i}`));
      if (answer.result?._meta?.[RATE_LIMIT_META] !== undefined) refused += 1;
      else expect(answer.result.isError).toBeUndefined();
    }
    expect(refused).toBe(100);
    expect(runs.pay).toHaveLength(0);
    // Another caller can still open a session (before: the store was full, 503).
    const init = await testServer({ stores }).handler.fetch(
      legacyPost(URL_, initializeBody(1)),
      {},
      {
        clientAddress: B.address,
      },
    );
    await init.body?.cancel();
    expect(init.status).toBe(200);
  });

  it("bounds the bytes a caller keeps: a result over 16 KiB takes a token per 16 KiB, and is not kept when they are spent", async () => {
    const { handler, runs } = testServer({
      payUse: [idempotent({ keysPerCaller: { limit: 40, window: "hour" } })],
    });
    // About 100 KB of JSON: 7 tokens (the key's, and 6 more).
    const big = "x".repeat(100_000);
    for (let i = 1; i <= 6; i++) {
      expect(
        (await callTool(handler, "pay", { amount: big }, A, withKey(`b${i}`))).result.isError,
      ).toBeUndefined();
    }
    expect(runs.pay).toHaveLength(6);
    // The first five are kept (35 tokens); the sixth ran, but 36 + 6 > 40: its result is not kept.
    for (let i = 1; i <= 5; i++) {
      const replay = await callTool(handler, "pay", { amount: big }, A, withKey(`b${i}`));
      expect(replay.result._meta[IDEMPOTENCY_META]).toEqual({ key: `b${i}`, replayed: true });
      expect(replay.result.content[0].text).toBe(`paid ${big} (run ${i})`);
    }
    const sixth = await callTool(handler, "pay", { amount: big }, A, withKey("b6"));
    expect(sixth.result.isError).toBe(true);
    expect(sixth.result.content[0].text).toMatch(
      /already ran; its result was not kept: the caller's allowance for kept results was spent/,
    );
    expect(runs.pay).toHaveLength(6);
    // A small result still fits in what is left (its key's token covers it).
    await callTool(handler, "pay", { amount: 1 }, A, withKey("small"));
    const small = await callTool(handler, "pay", { amount: 1 }, A, withKey("small"));
    expect(small.result._meta[IDEMPOTENCY_META]).toEqual({ key: "small", replayed: true });
    expect(runs.pay).toHaveLength(7);
  });

  it("keysPerCaller: false lifts the allowance; stores without `limits` run unbounded; a malformed allowance fails fast", async () => {
    const unbounded = testServer({ payUse: [idempotent({ keysPerCaller: false })] });
    for (let i = 0; i < 5; i++) await callTool(unbounded.handler, "pay", {}, A, withKey(`k${i}`));
    expect(unbounded.runs.pay).toHaveLength(5);
    const { limits: _none, ...withoutLimits } = memoryStores();
    const noLimits = testServer({
      stores: withoutLimits,
      payUse: [idempotent({ keysPerCaller: { limit: 1, window: "hour" } })],
    });
    await callTool(noLimits.handler, "pay", {}, A, withKey("a"));
    await callTool(noLimits.handler, "pay", {}, A, withKey("b"));
    const replay = await callTool(noLimits.handler, "pay", {}, A, withKey("a"));
    expect(replay.result._meta[IDEMPOTENCY_META]).toEqual({ key: "a", replayed: true });
    expect(noLimits.runs.pay).toHaveLength(2);
    expect(() => idempotent({ keysPerCaller: { limit: 0, window: "hour" } })).toThrow(PorticoError);
    expect(() => idempotent({ keysPerCaller: { limit: 10, window: "fortnight" as never } })).toThrow(
      /idempotent: keysPerCaller: window must be/,
    );
  });
});
