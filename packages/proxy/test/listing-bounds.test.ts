/**
 * An upstream whose listing never ends, or is larger than any server needs: the proxy stops at
 * 10 000 definitions of a kind or 32 MiB of listing text, and gives the whole listing (every page)
 * one `timeoutMs`. Past a bound the listing fails as a whole: `proxy()` throws and registers
 * nothing; `refresh()` throws and keeps what was registered.
 */
import { McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { proxy } from "../src/index.ts";
import { MAX_CURSOR_CHARS, MAX_LISTED_ITEMS, MAX_LISTING_CHARS } from "../src/listing.ts";

type Json = Record<string, any>;

/** A 2026-07-28 upstream (a `fetch`) whose `tools/list` pages come from `page(n)`. */
function upstream(page: (n: number, signal: AbortSignal | undefined) => Json | Promise<Json>) {
  const seen = { pages: 0 };
  const fetchFn: typeof fetch = async (_input, init) => {
    const body = JSON.parse(String(init?.body)) as Json;
    const answer = (result: Json) =>
      Response.json({ jsonrpc: "2.0", id: body.id, result: { resultType: "complete", ...result } });
    if (body.method === "server/discover") {
      return answer({ supportedVersions: ["2026-07-28"], capabilities: { tools: {} } });
    }
    if (body.method === "tools/list") {
      const cursor = body.params?.cursor as string | undefined;
      const n = cursor === undefined ? 0 : Number(cursor.slice(1));
      seen.pages++;
      return answer(await page(n, init?.signal ?? undefined));
    }
    return new Response(null, { status: 404 });
  };
  return { fetch: fetchFn, seen };
}

const tools = (n: number, count: number, description = "") =>
  Array.from({ length: count }, (_, i) => ({
    name: `t${n}_${i}`,
    description,
    inputSchema: { type: "object" },
  }));

describe("listing bounds", () => {
  it("refuses a page cursor over 64 K characters, and counts cursors toward the 32 MiB (empty pages with huge cursors)", async () => {
    // Empty pages, each with a different 1 MiB cursor: 40 of them would be 40 MiB held.
    let pages = 0;
    const big = upstream(() => ({ tools: [], nextCursor: `${++pages}${"x".repeat(1024 * 1024)}` }));
    const server = new McpServer({ name: "front", version: "1.0.0" });
    await expect(
      proxy(server, "http://remote.test/mcp", { fetch: big.fetch, follow: false }),
    ).rejects.toThrow(`cursor is longer than ${MAX_CURSOR_CHARS} characters`);
    expect(big.seen.pages).toBe(1);
    // Cursors within the bound add up: 60 K characters a page, ~32 MiB after ~560 empty pages.
    const many = upstream(() => ({ tools: [], nextCursor: `${++pages}${"y".repeat(60 * 1024)}` }));
    await expect(
      proxy(server, "http://remote.test/mcp", { fetch: many.fetch, follow: false }),
    ).rejects.toThrow(`more than ${MAX_LISTING_CHARS} characters of definitions and cursors`);
    expect(many.seen.pages).toBeLessThan(600);
  });

  it("lists a name the upstream listed twice in `skipped` (the first is served)", async () => {
    const remote = upstream(() => ({
      tools: [
        { name: "dup", description: "first", inputSchema: { type: "object" } },
        { name: "dup", description: "second", inputSchema: { type: "object" } },
      ],
    }));
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const registration = await proxy(server, "http://remote.test/mcp", {
      fetch: remote.fetch,
      follow: false,
    });
    expect(registration.tools).toStrictEqual(["dup"]);
    expect(registration.skipped).toStrictEqual([
      { kind: "tool", name: "dup", reason: "a duplicate in the upstream's listing" },
    ]);
    await registration.close();
  });

  it("refuses more than 10 000 definitions of a kind, and registers none", async () => {
    const remote = upstream((n) => ({ tools: tools(n, 1000), nextCursor: `c${n + 1}` }));
    const server = new McpServer({ name: "front", version: "1.0.0" });
    await expect(
      proxy(server, "http://remote.test/mcp", { fetch: remote.fetch, follow: false }),
    ).rejects.toThrow(`more than ${MAX_LISTED_ITEMS} tools`);
    expect(remote.seen.pages).toBeLessThanOrEqual(MAX_LISTED_ITEMS / 1000 + 1);
    expect(MAX_LISTED_ITEMS).toBe(10_000);
  });

  it("refuses more than 32 MiB of listing text", async () => {
    // 4 MiB a page (each within the message bound), 12 pages.
    const description = "d".repeat(40 * 1024);
    const remote = upstream((n) => ({
      tools: tools(n, 100, description),
      ...(n < 11 ? { nextCursor: `c${n + 1}` } : {}),
    }));
    const server = new McpServer({ name: "front", version: "1.0.0" });
    await expect(
      proxy(server, "http://remote.test/mcp", { fetch: remote.fetch, follow: false }),
    ).rejects.toThrow(`more than ${MAX_LISTING_CHARS} characters`);
    expect(remote.seen.pages).toBeLessThanOrEqual(9);
    expect(MAX_LISTING_CHARS).toBe(32 * 1024 * 1024);
  });

  it("gives the whole listing one timeoutMs, not one per page", async () => {
    // Each page in 150 ms (well within timeoutMs); 20 of them are not.
    const remote = upstream(async (n, signal) => {
      // As a real fetch does, the wait ends when the request is aborted.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 150);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      });
      return { tools: tools(n, 1), ...(n < 19 ? { nextCursor: `c${n + 1}` } : {}) };
    });
    const server = new McpServer({ name: "front", version: "1.0.0" });
    await expect(
      proxy(server, "http://remote.test/mcp", { fetch: remote.fetch, follow: false, timeoutMs: 1000 }),
    ).rejects.toThrow("listing the upstream took longer than 1000 ms");
    expect(remote.seen.pages).toBeLessThan(20);
  });

  it("keeps what refresh() had registered when a new listing goes past a bound", async () => {
    let big = false;
    const remote = upstream((n) =>
      big ? { tools: tools(n, 1000), nextCursor: `c${n + 1}` } : { tools: tools(n, 2) },
    );
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const proxied = await proxy(server, "http://remote.test/mcp", { fetch: remote.fetch, follow: false });
    try {
      expect(proxied.tools).toEqual(["t0_0", "t0_1"]);
      big = true;
      await expect(proxied.refresh()).rejects.toThrow(`more than ${MAX_LISTED_ITEMS} tools`);
      expect(proxied.tools).toEqual(["t0_0", "t0_1"]);
    } finally {
      await proxied.close();
    }
  });
});
