/**
 * A store call that never answers: storeSkills bounds every store call it makes, reports the
 * failure to onError and keeps syncing; a write that keeps losing its compare-and-set gives up.
 */
import { memoryStores, PorticoError, type SessionStore, type Stores } from "@portico/core";
import { describe, expect, it } from "vitest";
import { storeSkills } from "../src/index.ts";
import { eventually, skill, testServer } from "./_helpers.ts";

/** `stores` whose `sessions.get` never answers while `hang.gets > 0` (one lost request each). */
function hangingGets(stores: Stores) {
  const hang = { gets: 0, hung: 0 };
  const sessions: SessionStore = {
    ...stores.sessions,
    get: (key) => {
      if (hang.gets > 0) {
        hang.gets--;
        hang.hung++;
        return new Promise<never>(() => {});
      }
      return stores.sessions.get(key);
    },
    create: (...a) => stores.sessions.create(...a),
    update: (...a) => stores.sessions.update(...a),
    delete: (key) => stores.sessions.delete(key),
  };
  return { stores: { ...stores, sessions }, hang };
}

describe("storeSkills over a store that stops answering", () => {
  it("a lost store call fails after storeTimeoutMs (to onError) and the next sync runs", async () => {
    const memory = memoryStores();
    const { stores, hang } = hangingGets(memory);
    const errors: unknown[] = [];
    const a = await storeSkills(testServer(), {
      stores,
      refreshMs: 60_000,
      storeTimeoutMs: 100,
      onError: (e) => errors.push(e),
    });
    const b = await storeSkills(testServer(), { stores: memory, refreshMs: 60_000, onError: () => {} });
    try {
      await b.put(skill("one"));
      await eventually(() => expect(a.paths()).toEqual(["one"]));
      hang.gets = 1;
      const lost = a.sync(); // its index read is never answered
      expect(hang.hung).toBe(1);
      await b.put(skill("two")); // announced on the bus: A syncs again after the lost one
      await lost;
      await eventually(() => expect(a.paths()).toEqual(["one", "two"]));
      expect(errors.some((e) => (e as PorticoError).code === "store_unavailable")).toBe(true);
      await expect(a.sync()).resolves.toBeUndefined();
      await a.put(skill("three"));
      expect(a.paths()).toEqual(["one", "three", "two"]);
      // A put whose own store call is lost rejects instead of waiting forever.
      hang.gets = 1;
      await expect(a.put(skill("four"))).rejects.toMatchObject({ code: "store_unavailable" });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("a store that never answers at startup makes storeSkills resolve (first load reported)", async () => {
    const { stores, hang } = hangingGets(memoryStores());
    hang.gets = 1;
    const errors: unknown[] = [];
    const a = await storeSkills(testServer(), {
      stores,
      storeTimeoutMs: 100,
      onError: (e) => errors.push(e),
    });
    try {
      expect(errors).toHaveLength(1);
      expect((errors[0] as PorticoError).code).toBe("store_unavailable");
      await a.put(skill("one"));
      expect(a.paths()).toEqual(["one"]);
    } finally {
      await a.close();
    }
  });

  it("refuses a storeTimeoutMs that is not a non-negative number", async () => {
    await expect(
      storeSkills(testServer(), { stores: memoryStores(), storeTimeoutMs: -1 }),
    ).rejects.toMatchObject({ code: "invalid_config" });
  });

  it("a write that loses its compare-and-set on every attempt gives up with write_conflict", async () => {
    const memory = memoryStores();
    let updates = 0;
    const sessions: SessionStore = {
      ...memory.sessions,
      get: (key) => memory.sessions.get(key),
      create: (...a) => memory.sessions.create(...a),
      // Another writer always wins (bounded here so the test ends even when the loop does not).
      update: async () => {
        if (++updates > 200) throw new Error("unbounded retries");
        return false;
      },
      delete: (key) => memory.sessions.delete(key),
    };
    const a = await storeSkills(testServer(), { stores: { ...memory, sessions }, onError: () => {} });
    try {
      await a.put(skill("one")); // creates the index (no update)
      const before = updates;
      const error = await a.put(skill("two")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PorticoError);
      expect((error as PorticoError).code).toBe("write_conflict");
      expect(updates - before).toBeLessThanOrEqual(20);
      expect(a.paths()).toEqual(["one"]);
    } finally {
      await a.close();
    }
  });
});
