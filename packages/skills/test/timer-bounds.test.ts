/**
 * `storeSkills`' durations armed as timers: a timer cannot wait longer than 2^31−1 ms (about 24.8
 * days) — Node, Workers and browsers fire a longer delay after 1 ms. `refreshMs` (a `setInterval`:
 * a re-read every millisecond) and `storeTimeoutMs` (each store call's deadline: every call failing
 * at once) are refused beyond it when `storeSkills` is called; `storeTimeoutMs: 0` stays "none".
 */
import { memoryStores, PorticoError, type SessionStore, type Stores } from "@portico/core";
import { describe, expect, it } from "vitest";
import { type StoreSkillsOptions, storeSkills } from "../src/index.ts";
import { skill, testServer } from "./_helpers.ts";

const MAX_TIMER_MS = 2_147_483_647;

/** What `storeSkills` rejects with, or `undefined` (what it made is closed at once). */
async function refusal(options: Record<string, unknown>): Promise<unknown> {
  try {
    const made = await storeSkills(testServer(), {
      stores: memoryStores(),
      onError: () => {},
      ...options,
    } as StoreSkillsOptions);
    await made.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Memory stores whose session-store reads are counted. */
function countedStores(): { stores: Stores; reads: () => number } {
  const memory = memoryStores();
  let reads = 0;
  const sessions: SessionStore = {
    get: (key) => {
      reads++;
      return memory.sessions.get(key);
    },
    create: (...a) => memory.sessions.create(...a),
    update: (...a) => memory.sessions.update(...a),
    delete: (key) => memory.sessions.delete(key),
  };
  return { stores: { ...memory, sessions }, reads: () => reads };
}

describe("storeSkills: timer durations", () => {
  it.each([3_000_000_000, MAX_TIMER_MS + 1])(
    "refuses refreshMs %d (a re-read every millisecond)",
    async (value) => {
      const error = await refusal({ refreshMs: value });
      expect(error).toBeInstanceOf(PorticoError);
      expect(error).toMatchObject({ code: "invalid_config" });
      expect((error as Error).message).toBe(
        `refreshMs must be a positive number of ms, at most 2147483647 (about 24.8 days), got ${value}`,
      );
    },
  );

  it.each([Number.POSITIVE_INFINITY, Number.NaN, 0, -1])("still refuses refreshMs %s", async (value) => {
    expect(await refusal({ refreshMs: value })).toMatchObject({ code: "invalid_config" });
  });

  it.each([3_000_000_000, MAX_TIMER_MS + 1, Number.POSITIVE_INFINITY])(
    "refuses storeTimeoutMs %s (every store call would fail at once)",
    async (value) => {
      const error = await refusal({ storeTimeoutMs: value });
      expect(error).toBeInstanceOf(PorticoError);
      expect(error).toMatchObject({ code: "invalid_config" });
      expect((error as Error).message).toBe(
        `storeTimeoutMs must be a number of ms from 0 (none) to 2147483647 (about 24.8 days), got ${value}`,
      );
    },
  );

  it.each([Number.NaN, -1, "100"])("still refuses storeTimeoutMs %s", async (value) => {
    expect(await refusal({ storeTimeoutMs: value })).toMatchObject({ code: "invalid_config" });
  });

  it("accepts refreshMs 2^31−1 ms, and then does not re-read on its own", async () => {
    const { stores, reads } = countedStores();
    const made = await storeSkills(testServer(), { stores, refreshMs: MAX_TIMER_MS, onError: () => {} });
    try {
      const afterLoad = reads();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A timer that fired at once would have re-read the index ~100 times by now.
      expect(reads()).toBe(afterLoad);
    } finally {
      await made.close();
    }
  });

  it.each([0, MAX_TIMER_MS])("accepts storeTimeoutMs %d: store calls succeed", async (value) => {
    const made = await storeSkills(testServer(), {
      stores: memoryStores(),
      refreshMs: 60_000,
      storeTimeoutMs: value,
      onError: () => {},
    });
    try {
      await made.put(skill("one"));
      expect(made.paths()).toEqual(["one"]);
    } finally {
      await made.close();
    }
  });
});
