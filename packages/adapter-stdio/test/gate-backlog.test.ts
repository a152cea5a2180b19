/**
 * Legacy messages sent behind a legacy `initialize` wait for its session. While it is slow, they
 * must not pile up in memory without bound: once `maxInFlight` of them wait, the server stops
 * reading stdin until the `initialize` has answered; then each gets its answer (served, or refused
 * as busy beyond `maxInFlight`, as requests sent all at once are).
 */
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type StdioServer, serveStdio } from "../src/index.ts";
import { step } from "./_helpers.ts";

let running: StdioServer | undefined;

afterEach(async () => {
  await running?.close();
  running = undefined;
});

const INIT = {
  jsonrpc: "2.0",
  id: 0,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "gate", version: "1" } },
};

describe("messages held behind a slow legacy initialize", () => {
  it("stop the reading of stdin at maxInFlight, and are all answered once initialize answers", async () => {
    const init: { release?: () => void } = {};
    let pings = 0;
    const input = new PassThrough();
    const output = new PassThrough();
    const server = serveStdio(
      {
        fetch: async (request) => {
          const message = (await request.json()) as { id: unknown; method: string };
          if (message.method === "initialize") {
            await new Promise<void>((resolve) => {
              init.release = resolve;
            });
            const result = {
              protocolVersion: "2025-11-25",
              capabilities: {},
              serverInfo: { name: "g", version: "1" },
            };
            return Response.json(
              { jsonrpc: "2.0", id: message.id, result },
              { headers: { "mcp-session-id": "s1" } },
            );
          }
          pings++;
          return Response.json({ jsonrpc: "2.0", id: message.id, result: {} });
        },
      },
      { input, output, log: () => {}, redirectConsole: false, maxInFlight: 4 },
    );
    running = server;
    const answered = new Map<unknown, number>();
    let text = "";
    output.setEncoding("utf8");
    output.on("data", (chunk: string) => {
      const lines = (text + chunk).split("\n");
      text = lines.pop() ?? "";
      for (const line of lines) {
        const { id } = JSON.parse(line) as { id: unknown };
        answered.set(id, (answered.get(id) ?? 0) + 1);
      }
    });

    input.write(`${JSON.stringify(INIT)}\n`);
    await vi.waitFor(() => expect(init.release).toBeDefined());
    const COUNT = 2000;
    for (let i = 1; i <= COUNT; i++)
      input.write(`${JSON.stringify({ jsonrpc: "2.0", id: i, method: "ping" })}\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The reader stopped: most of the lines are still in the input stream, none was served.
    expect(input.readableLength).toBeGreaterThan(COUNT * 10);
    expect(pings).toBe(0);

    init.release?.();
    await step(
      "every answer",
      vi.waitFor(() => expect(answered.size).toBe(COUNT + 1), { timeout: 5000 }),
    );
    expect([...answered.values()].every((count) => count === 1)).toBe(true);
    expect(pings).toBeGreaterThan(0);
    expect(input.readableLength).toBe(0);
  });
});
