/**
 * `timeoutMs` becomes `AbortSignal.timeout(timeoutMs)` (connecting, listing, every call), and a
 * timer cannot wait longer than 2^31−1 ms (about 24.8 days): a larger delay fires after 1 ms.
 * Before, any value was taken as given: `timeoutMs: 3e9` made every upstream request time out at
 * once, and NaN or a fraction failed later with a RangeError from inside the client. Now `proxy()`
 * refuses such a value before it sends anything, naming the option and the bound.
 */
import { createHandler, McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { proxy } from "../src/index.ts";
import { modern } from "./_front.ts";
import { startV2 } from "./_remotes.ts";

const MAX_TIMER_MS = 2_147_483_647;

const shown = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : String(value));

describe("timeoutMs", () => {
  it("outside 1 to 2^31−1 ms, or not a whole number, is refused before anything is sent", async () => {
    for (const timeoutMs of [
      MAX_TIMER_MS + 1,
      3e9,
      0,
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      "100",
    ]) {
      const remote = startV2();
      const server = new McpServer({ name: "front", version: "1.0.0" });
      await expect(
        proxy(server, "http://up.test/mcp", { fetch: remote.fetch, timeoutMs: timeoutMs as number }),
      ).rejects.toThrow(
        `proxy: timeoutMs must be a whole number of ms from 1 to 2147483647 (2^31−1, about 24.8 days), not ${shown(timeoutMs)}`,
      );
      expect(remote.seen, shown(timeoutMs)).toEqual([]);
    }
  });

  it("at the bound is accepted, and a call is not timed out at once", async () => {
    const remote = startV2();
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const proxied = await proxy(server, "http://up.test/mcp", {
      fetch: remote.fetch,
      timeoutMs: MAX_TIMER_MS,
      follow: false,
    });
    try {
      const answer = await modern(createHandler(server, { onError: () => {} }), "tools/call", {
        name: "add",
        arguments: { a: 2, b: 3 },
      });
      expect(answer.result).toMatchObject({ structuredContent: { sum: 5 } });
    } finally {
      await proxied.close();
    }
  });
});
