/**
 * An upstream that floods the proxy with server→client requests outside any call — on a legacy
 * session's GET stream, or over a message transport — and never lets the answers through: the
 * proxy keeps a few answers in flight and drops the rest, instead of opening a connection (or
 * queuing a write) for each.
 */
import { McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { type ProxyTransport, proxy, type TransportMessage } from "../src/index.ts";
import { legacyResult } from "./_front.ts";
import { waitFor } from "./_wait.ts";

/** How many requests the upstream sends at once. */
const FLOOD = 300;

function requests(): string {
  let text = "";
  for (let i = 0; i < FLOOD; i++) {
    const method = i % 2 === 0 ? "ping" : "elicitation/create";
    text += `data: ${JSON.stringify({ jsonrpc: "2.0", id: i, method, params: {} })}\n\n`;
  }
  return text;
}

/** A proxy logger that keeps what it is warned of. */
function warnings() {
  const warned: unknown[] = [];
  const logger = { debug() {}, info() {}, warn: (_: string, meta: unknown) => warned.push(meta), error() {} };
  return { warned, logger };
}

describe("a legacy upstream's GET stream", () => {
  it("gets at most a few answers in flight, however many requests it sends", async () => {
    let gets = 0;
    let inFlight = 0;
    let peak = 0;
    let answers = 0;
    /** Releases the answers the upstream holds (never answered until the test ends). */
    const held: (() => void)[] = [];
    const fetchFn: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === "GET") {
        gets++;
        // The first stream carries the flood, then ends; the second is refused (following stops).
        if (gets > 1) return new Response(null, { status: 405 });
        return new Response(requests(), { headers: { "content-type": "text/event-stream" } });
      }
      if (request.method === "DELETE") return new Response(null, { status: 200 });
      const body = (await request.json()) as { id?: number; method?: string };
      if (body.method === undefined) {
        // An answer to one of the upstream's requests: held open.
        answers++;
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => held.push(resolve));
        inFlight--;
        return new Response(null, { status: 202 });
      }
      if (body.method === "server/discover") return new Response("no", { status: 400 });
      if (body.id === undefined) return new Response(null, { status: 202 });
      const result = legacyResult(body.method);
      return Response.json({ jsonrpc: "2.0", id: body.id, result }, { headers: { "mcp-session-id": "s1" } });
    };
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const { warned, logger } = warnings();
    const proxied = await proxy(server, "http://remote.test/mcp", { fetch: fetchFn, logger });
    try {
      // The second GET comes after the first stream was read to its end (and the 1 s backoff).
      await waitFor("the second GET", () => gets >= 2, 5000);
      expect(answers).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(4);
      expect(answers).toBeLessThanOrEqual(4);
      // The operator hears of it once for the burst, not once per dropped request.
      expect(warned.filter((meta) => JSON.stringify(meta).includes("dropped"))).toHaveLength(1);
    } finally {
      for (const release of held.splice(0)) release();
      await proxied.close();
    }
  });
});

describe("a transport upstream", () => {
  it("gets at most a few answers in flight, however many requests it sends", async () => {
    let inFlight = 0;
    let peak = 0;
    let answers = 0;
    const held: (() => void)[] = [];
    const transport: ProxyTransport = {
      start: async () => {},
      send: async (message: TransportMessage) => {
        if (message.method === "initialize") {
          queueMicrotask(() =>
            transport.onmessage?.({
              jsonrpc: "2.0",
              id: message.id,
              result: {
                protocolVersion: "2025-11-25",
                capabilities: { tools: {} },
                serverInfo: { name: "x", version: "1" },
              },
            }),
          );
        } else if (message.method === "tools/list") {
          queueMicrotask(() =>
            transport.onmessage?.({ jsonrpc: "2.0", id: message.id, result: { tools: [] } }),
          );
        } else if (message.method === undefined) {
          // An answer to one of the upstream's requests: its write never completes (until the end).
          answers++;
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise<void>((resolve) => held.push(resolve));
          inFlight--;
        }
      },
      close: async () => {
        transport.onclose?.();
      },
    };
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const { warned, logger } = warnings();
    const proxied = await proxy(server, transport, { logger });
    try {
      for (let i = 0; i < FLOOD; i++) {
        const method = i % 2 === 0 ? "ping" : "elicitation/create";
        transport.onmessage?.({ jsonrpc: "2.0", id: `r${i}`, method, params: {} });
      }
      await waitFor("an answer", () => answers > 0);
      // Every request was handled synchronously or queued behind the held writes.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(peak).toBeLessThanOrEqual(4);
      expect(answers).toBeLessThanOrEqual(4);
      expect(warned.filter((meta) => JSON.stringify(meta).includes("dropped"))).toHaveLength(1);
      // Once the writes complete, later requests are answered again.
      for (const release of held.splice(0)) release();
      await waitFor("the answers to end", () => inFlight === 0);
      const before = answers;
      transport.onmessage?.({ jsonrpc: "2.0", id: "late", method: "ping", params: {} });
      await waitFor("the late ping's answer", () => answers > before);
    } finally {
      for (const release of held.splice(0)) release();
      await proxied.close();
    }
  });
});
