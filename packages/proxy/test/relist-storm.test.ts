/**
 * An upstream that floods `notifications/tools/list_changed`: the proxy re-lists a few times at
 * once, then once per 5 s, and the change announced last is always re-listed (after it).
 */
import { McpServer } from "@portico/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { followChanges, RELIST_BURST, RELIST_INTERVAL_MS, Syncer } from "../src/changes.ts";
import type { UpstreamClient } from "../src/client.ts";
import type { FollowHandlers } from "../src/follow.ts";
import { proxy } from "../src/index.ts";
import { waitFor } from "./_wait.ts";

const LIST_CHANGED = { method: "notifications/tools/list_changed", params: {} };

/** A connected upstream whose follow handlers the test drives, and a syncer counting listings. */
function following() {
  let handlers: FollowHandlers | undefined;
  const client = {
    capabilities: { tools: { listChanged: true } },
    era: "modern",
    overTransport: false,
    follow: (h: FollowHandlers) => {
      handlers = h;
      return { urisChanged: () => {}, stop: async () => {} };
    },
  } as unknown as UpstreamClient;
  /** When each listing started (fake time). */
  const listings: number[] = [];
  const syncer = new Syncer(async () => {
    listings.push(Date.now());
  });
  const changes = followChanges({
    server: new McpServer({ name: "front", version: "1.0.0" }),
    client,
    syncer,
    resources: () => [],
    hasResource: () => false,
    timeoutMs: 1000,
    follow: true,
    logger: undefined,
  });
  if (handlers === undefined) throw new Error("not following");
  return { handlers, listings, changes };
}

describe("a flood of list_changed", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("re-lists a few times at once, then once per interval, and after the last change", async () => {
    vi.useFakeTimers();
    const { handlers, listings, changes } = following();
    // 8 s of a list_changed every 2 ms.
    let last = 0;
    for (let t = 0; t < 8000; t += 2) {
      handlers.onNotification(LIST_CHANGED);
      last = Date.now();
      await vi.advanceTimersByTimeAsync(2);
    }
    // The burst, then one per interval: not one per 50 ms debounce (160).
    expect(listings.length).toBeLessThanOrEqual(RELIST_BURST + Math.ceil(8000 / RELIST_INTERVAL_MS));
    expect(listings.length).toBeGreaterThanOrEqual(RELIST_BURST);
    for (let i = RELIST_BURST + 1; i < listings.length; i++) {
      expect((listings[i] as number) - (listings[i - 1] as number)).toBeGreaterThanOrEqual(
        RELIST_INTERVAL_MS - 1,
      );
    }
    // The flood ended: one more listing comes, after the last change.
    const before = listings.length;
    await vi.advanceTimersByTimeAsync(RELIST_INTERVAL_MS + 100);
    expect(listings.length).toBe(before + 1);
    expect(listings.at(-1)).toBeGreaterThan(last);
    // Then nothing more.
    await vi.advanceTimersByTimeAsync(3 * RELIST_INTERVAL_MS);
    expect(listings.length).toBe(before + 1);
    await changes.stop();
  });

  it("re-lists promptly again once the upstream has been quiet", async () => {
    vi.useFakeTimers();
    const { handlers, listings, changes } = following();
    for (let i = 0; i < RELIST_BURST + 2; i++) {
      handlers.onNotification(LIST_CHANGED);
      await vi.advanceTimersByTimeAsync(100);
    }
    const paced = listings.length;
    expect(paced).toBe(RELIST_BURST);
    await vi.advanceTimersByTimeAsync(RELIST_BURST * RELIST_INTERVAL_MS);
    expect(listings.length).toBe(paced + 1);
    // Quiet for long enough: a change is re-listed after the debounce alone.
    handlers.onNotification(LIST_CHANGED);
    await vi.advanceTimersByTimeAsync(100);
    expect(listings.length).toBe(paced + 2);
    await changes.stop();
  });
});

describe("a modern upstream flooding list_changed on its listen stream", () => {
  it("is listed a few times, not once per debounce", async () => {
    let lists = 0;
    let notes = 0;
    const streams: ReadableStreamDefaultController<Uint8Array>[] = [];
    const timers: ReturnType<typeof setInterval>[] = [];
    const encoder = new TextEncoder();
    const fetchFn: typeof fetch = async (_input, init) => {
      const body = JSON.parse(String(init?.body)) as { id: number; method: string };
      const answer = (result: Record<string, unknown>) =>
        Response.json({ jsonrpc: "2.0", id: body.id, result: { resultType: "complete", ...result } });
      if (body.method === "server/discover") {
        return answer({ supportedVersions: ["2026-07-28"], capabilities: { tools: { listChanged: true } } });
      }
      if (body.method === "tools/list") {
        lists++;
        return answer({ tools: [{ name: `t${lists}`, inputSchema: { type: "object" } }] });
      }
      if (body.method === "subscriptions/listen") {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            streams.push(controller);
            const ack = { jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged", params: {} };
            controller.enqueue(encoder.encode(`data: ${JSON.stringify(ack)}\n\n`));
            const timer = setInterval(() => {
              notes++;
              try {
                controller.enqueue(
                  encoder.encode(`data: ${JSON.stringify({ jsonrpc: "2.0", ...LIST_CHANGED })}\n\n`),
                );
              } catch {
                clearInterval(timer);
              }
            }, 5);
            timers.push(timer);
            init?.signal?.addEventListener("abort", () => clearInterval(timer));
          },
        });
        return new Response(stream, { headers: { "content-type": "text/event-stream" } });
      }
      return new Response(null, { status: 404 });
    };
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const proxied = await proxy(server, "http://remote.test/mcp", { fetch: fetchFn });
    try {
      await waitFor("a flood of list_changed", () => notes >= 200);
      // The first listing, then the burst allowed at once (a flood over ~1 s: 20 with the debounce alone).
      expect(lists).toBeLessThanOrEqual(1 + RELIST_BURST);
      expect(lists).toBeGreaterThanOrEqual(2);
    } finally {
      for (const timer of timers) clearInterval(timer);
      await proxied.close();
    }
  });
});
