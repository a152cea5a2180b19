/**
 * The store battery's idempotency part: what `@portico/guard`'s `idempotent` asks of a session
 * store, done the way it does it (an in-progress record created only if absent, renewed by
 * compare-and-set, settled with the result, or released as a 1 ms record): of many concurrent
 * first calls of one key exactly one takes it; a holder that renews keeps the key past its ttl, one
 * that stops loses it once the ttl has run out and its late settle fails; a released key is taken
 * again at once; a settled result is what every later duplicate reads.
 */
import type { JsonValue, StoreKey, Stores } from "@portico/core";
import { expect, it } from "vitest";
import { unique, waitUntil } from "./_store-battery-kit.ts";
import { sleep } from "./sleep.ts";

const keyOf = (label: string): StoreKey => ({ kind: "idempotency", id: `tool|caller|${unique(label)}` });
const running = (holder: string): JsonValue => ({ s: "running", a: "digest", h: holder });

export function idempotencyTests(stores: () => Stores): void {
  it("idempotency: of 24 concurrent first calls of one key exactly one takes it; all read its settled result", async () => {
    const { sessions } = stores();
    const key = keyOf("race");
    const taken = await Promise.all(
      Array.from({ length: 24 }, (_, i) => sessions.create(key, running(`h${i}`), 30_000)),
    );
    expect(taken.filter(Boolean)).toHaveLength(1);
    const winner = `h${taken.indexOf(true)}`;
    expect((await sessions.get(key))?.value).toStrictEqual(running(winner));
    const result = {
      s: "done",
      a: "digest",
      r: { content: [{ type: "text", text: "paid" }], structuredContent: { id: 7 } },
    };
    expect(await sessions.update(key, 1, result, 60_000)).toBe(true);
    const reads = await Promise.all(Array.from({ length: 8 }, () => sessions.get(key)));
    for (const read of reads) expect(read?.value).toStrictEqual(result);
    expect(await sessions.create(key, running("late"), 30_000)).toBe(false);
  });

  it("idempotency: a renewing holder keeps the key past its ttl; one that stops loses it, and its late settle fails", async () => {
    const { sessions } = stores();
    const key = keyOf("lease");
    const lockMs = 1_200;
    expect(await sessions.create(key, running("a"), lockMs)).toBe(true);
    let version = 1;
    for (let beat = 0; beat < 4; beat += 1) {
      await sleep(lockMs / 3);
      expect(await sessions.update(key, version, running("a"), lockMs)).toBe(true);
      version += 1;
      expect(await sessions.create(key, running("b"), lockMs)).toBe(false);
    }
    // The holder stops renewing (it crashed): the key is free once its ttl has run out.
    await waitUntil(
      () => sessions.create(key, running("b"), 30_000),
      "the lapsed key to be taken",
      lockMs + 4_000,
    );
    expect((await sessions.get(key))?.value).toStrictEqual(running("b"));
    // The old holder comes back and settles with the version it last saw: refused.
    expect(await sessions.update(key, version, { s: "done", a: "digest", r: null }, 60_000)).toBe(false);
    expect((await sessions.get(key))?.value).toStrictEqual(running("b"));
  });

  it("idempotency: a released key (a 1 ms record) is taken again at once by a waiting duplicate", async () => {
    const { sessions } = stores();
    const key = keyOf("release");
    expect(await sessions.create(key, running("a"), 30_000)).toBe(true);
    expect(await sessions.update(key, 1, { s: "released" }, 1)).toBe(true);
    const started = Date.now();
    await waitUntil(() => sessions.create(key, running("b"), 30_000), "the released key to be taken", 2_000);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
}
