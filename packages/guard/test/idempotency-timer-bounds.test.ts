/**
 * `idempotent`'s timer durations: a timer cannot wait longer than 2^31−1 ms (about 24.8 days) —
 * Node, Workers and browsers fire a longer delay after 1 ms. `lockMs` (its renewal timer runs every
 * third of it) and `waitMs` (how long a duplicate waits) are refused beyond that when the guard is
 * made; `ttlMs` is only a store lifetime, compared with the clock and never armed, so a longer one
 * keeps working.
 */
import { memoryStores, PorticoError, type Stores } from "@portico/core";
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_META, IDEMPOTENCY_META, idempotent } from "../src/index.ts";
import { callTool, testServer } from "./_server.ts";

const MAX_TIMER_MS = 2_147_483_647;
const withKey = (key: string) => ({ _meta: { [IDEMPOTENCY_KEY_META]: key } });

/** Memory stores whose session-store writes are counted. */
function countedStores(): { stores: Stores; updates: () => number } {
  const memory = memoryStores();
  let updates = 0;
  const sessions = {
    ...memory.sessions,
    get: memory.sessions.get.bind(memory.sessions),
    create: memory.sessions.create.bind(memory.sessions),
    delete: memory.sessions.delete.bind(memory.sessions),
    update: (...args: Parameters<typeof memory.sessions.update>) => {
      updates++;
      return memory.sessions.update(...args);
    },
  };
  return { stores: { ...memory, sessions }, updates: () => updates };
}

/** What `idempotent(options)` throws, or `undefined` when it makes a guard. */
function refusal(options: Record<string, unknown>): unknown {
  try {
    idempotent(options as Parameters<typeof idempotent>[0]);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe("idempotent: timer durations", () => {
  it.each([
    ["lockMs", 3_000_000_000],
    ["lockMs", 7_000_000_000],
    ["lockMs", MAX_TIMER_MS + 1],
    ["waitMs", 3_000_000_000],
    ["waitMs", MAX_TIMER_MS + 1],
  ])("refuses %s = %d at construction (a timer that long fires at once)", (name, value) => {
    const error = refusal({ [name]: value });
    expect(error).toBeInstanceOf(PorticoError);
    expect(error).toMatchObject({ code: "invalid_idempotency" });
    expect((error as Error).message).toBe(
      `idempotent: ${name} must be a positive number of ms, at most 2147483647 (about 24.8 days), not ${value}`,
    );
  });

  it.each([
    ["lockMs", Number.POSITIVE_INFINITY],
    ["lockMs", Number.NaN],
    ["lockMs", 0],
    ["waitMs", -1],
    ["waitMs", "100"],
    ["ttlMs", Number.POSITIVE_INFINITY],
    ["ttlMs", 0],
  ])("still refuses %s = %s", (name, value) => {
    expect(refusal({ [name]: value })).toMatchObject({ code: "invalid_idempotency" });
  });

  it("accepts lockMs and waitMs of 2^31−1 ms, and its renewal timer does not fire at once", async () => {
    expect(refusal({ lockMs: MAX_TIMER_MS, waitMs: MAX_TIMER_MS })).toBeUndefined();
    const { stores, updates } = countedStores();
    const { handler, runs } = testServer({
      stores,
      payUse: [idempotent({ lockMs: MAX_TIMER_MS, waitMs: MAX_TIMER_MS })],
    });
    const answer = await callTool(handler, "pay", { amount: 1, delayMs: 150 }, {}, withKey("long-lock"));
    expect(answer.result.structuredContent).toMatchObject({ run: 1 });
    expect(runs.pay).toHaveLength(1);
    // One write: the result. A renewal timer that fired at once would have renewed ~150 times.
    expect(updates()).toBe(1);
  });

  it("a ttlMs beyond 2^31−1 ms (30 days) is a store lifetime, not a timer: accepted, and the result is kept", async () => {
    const thirtyDays = 30 * 24 * 3_600_000;
    expect(thirtyDays).toBeGreaterThan(MAX_TIMER_MS);
    const { handler, runs } = testServer({ payUse: [idempotent({ ttlMs: thirtyDays })] });
    await callTool(handler, "pay", { amount: 2 }, {}, withKey("kept"));
    const again = await callTool(handler, "pay", { amount: 2 }, {}, withKey("kept"));
    expect(runs.pay).toHaveLength(1);
    expect(again.result._meta[IDEMPOTENCY_META]).toEqual({ key: "kept", replayed: true });
  });
});
