/**
 * Durations armed as timers: a timer cannot wait longer than 2^31−1 ms (about 24.8 days) — Node,
 * Workers and browsers fire a longer delay after 1 ms. `storeRegistry`'s `refreshMs` (a
 * `setInterval`: a re-read every millisecond) and `httpToolHandler`'s `http.timeoutMs` (an
 * `AbortSignal.timeout`: every call abandoned at once) are refused beyond it when they are given.
 */
import { type HandlerContext, memoryStores, PorticoError, type Stores } from "@portico/core";
import { describe, expect, it } from "vitest";
import { httpToolHandler, registerDefinition, storeRegistry } from "../src/index.ts";
import { testHandler } from "./_helpers.ts";

const MAX_TIMER_MS = 2_147_483_647;

/** Memory stores whose session-store reads are counted. */
function countedStores(): { stores: Stores; reads: () => number } {
  const memory = memoryStores();
  let reads = 0;
  const sessions = {
    get: (...args: Parameters<typeof memory.sessions.get>) => {
      reads++;
      return memory.sessions.get(...args);
    },
    create: memory.sessions.create.bind(memory.sessions),
    update: memory.sessions.update.bind(memory.sessions),
    delete: memory.sessions.delete.bind(memory.sessions),
  };
  return { stores: { ...memory, sessions }, reads: () => reads };
}

/** What `storeRegistry` rejects with, or `undefined` (the registry made is closed at once). */
async function registryRefusal(refreshMs: unknown): Promise<unknown> {
  const stores = memoryStores();
  const { server, handler } = testHandler(stores);
  try {
    const registry = await storeRegistry(server, {
      stores,
      refreshMs: refreshMs as number,
      onError: () => {},
    });
    await registry.close();
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await handler.close();
  }
}

describe("storeRegistry: refreshMs", () => {
  it.each([3_000_000_000, MAX_TIMER_MS + 1])(
    "refuses refreshMs %d (a re-read every millisecond)",
    async (value) => {
      const error = await registryRefusal(value);
      expect(error).toBeInstanceOf(PorticoError);
      expect(error).toMatchObject({ code: "invalid_config" });
      expect((error as Error).message).toBe(
        `refreshMs must be a positive number of ms, at most 2147483647 (about 24.8 days), got ${value}`,
      );
    },
  );

  it.each([Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "30000"])(
    "still refuses refreshMs %s",
    async (value) => {
      expect(await registryRefusal(value)).toMatchObject({ code: "invalid_config" });
    },
  );

  it("accepts 2^31−1 ms, and then does not re-read on its own", async () => {
    const { stores, reads } = countedStores();
    const { server, handler } = testHandler(stores);
    const registry = await storeRegistry(server, { stores, refreshMs: MAX_TIMER_MS, onError: () => {} });
    try {
      const afterLoad = reads();
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A timer that fired at once would have re-read the document ~100 times by now.
      expect(reads()).toBe(afterLoad);
    } finally {
      await registry.close();
      await handler.close();
    }
  });
});

describe("httpToolHandler: http.timeoutMs", () => {
  const URL_ = "https://api.example.test/items";
  const ctx = () =>
    ({
      signal: new AbortController().signal,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    }) as unknown as HandlerContext;
  /** An API answering after 30 ms, unless the request was abandoned by then. */
  const slowApi: typeof fetch = async (_input, init) => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    if (init?.signal?.aborted) throw init.signal.reason;
    return Response.json({ ok: true });
  };

  it.each([3_000_000_000, MAX_TIMER_MS + 1, Number.POSITIVE_INFINITY, 0, 1.5, -1])(
    "refuses timeoutMs %s when the handler is made (not at each call)",
    (value) => {
      const make = () =>
        httpToolHandler("t", { method: "GET", url: URL_, timeoutMs: value }, { fetch: slowApi });
      expect(make).toThrow(PorticoError);
      expect(make).toThrow(
        `tool "t": http.timeoutMs: must be a positive integer of at most 2147483647 (about 24.8 days), got ${value}`,
      );
    },
  );

  it("registerDefinition refuses it too (it makes the handler)", async () => {
    const { server, handler } = testHandler(memoryStores());
    try {
      expect(() =>
        registerDefinition(server, "tools", {
          name: "late",
          http: { method: "GET", url: URL_, timeoutMs: 3_000_000_000 },
        }),
      ).toThrow(/tool "late": http\.timeoutMs: must be a positive integer of at most 2147483647/);
    } finally {
      await handler.close();
    }
  });

  it("2^31−1 ms is accepted: a call answered after 30 ms is not abandoned", async () => {
    const tool = httpToolHandler(
      "t",
      { method: "GET", url: URL_, timeoutMs: MAX_TIMER_MS },
      { fetch: slowApi },
    );
    const result = await tool({}, ctx());
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual({ ok: true });
  });
});
