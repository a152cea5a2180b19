/**
 * A stdio child that stops reading its stdin: the proxy queues at most about 8 MiB for it, then
 * fails further sends at once (an unreachable upstream for the caller) instead of keeping every
 * message until the child dies.
 */
import { createHandler, McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { proxy } from "../src/index.ts";
import { MAX_PENDING_BYTES, stdioTransport } from "../src/stdio.ts";
import { modern } from "./_front.ts";
import { waitFor } from "./_wait.ts";

/** A child that answers `initialize` and `tools/list`, then never reads its stdin again. */
const NOREAD = `
const rl = require("node:readline").createInterface({ input: process.stdin });
const out = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
rl.on("line", (line) => {
  const m = JSON.parse(line);
  if (m.method === "initialize") out({ jsonrpc: "2.0", id: m.id, result: { protocolVersion: "2025-11-25", capabilities: { tools: {} }, serverInfo: { name: "x", version: "1" } } });
  if (m.method === "tools/list") {
    out({ jsonrpc: "2.0", id: m.id, result: { tools: [{ name: "t", inputSchema: { type: "object" } }] } });
    rl.close();
    process.stdin.pause();
  }
});
setInterval(() => {}, 1000);
`;

const MIB = 1024 * 1024;

describe("a stdio child that stops reading", () => {
  it("gets at most about 8 MiB queued; later sends fail at once", async () => {
    const transport = stdioTransport({
      command: process.execPath,
      args: ["-e", "process.stdin.pause(); setInterval(() => {}, 1000);"],
      stderr: "ignore",
    });
    await transport.start();
    try {
      const message = { jsonrpc: "2.0", method: "notifications/x", params: { big: "x".repeat(MIB) } };
      let accepted = 0;
      let refused = 0;
      const errors: string[] = [];
      for (let i = 0; i < 24; i++) {
        transport.send(message).then(
          () => accepted++,
          (error: Error) => {
            refused++;
            errors.push(error.message);
          },
        );
      }
      // At most what the bound lets through (plus the message that crossed it) is queued.
      await waitFor("the refused sends", () => refused >= 24 - (MAX_PENDING_BYTES / MIB + 1), 3000);
      expect(errors[0]).toMatch(/not reading/);
      expect(accepted).toBe(0);
    } finally {
      await transport.close();
    }
  });

  it("answers calls past the bound as an unreachable upstream, without waiting for the timeout", async () => {
    const transport = stdioTransport({ command: process.execPath, args: ["-e", NOREAD], stderr: "ignore" });
    const server = new McpServer({ name: "front", version: "1.0.0" });
    const proxied = await proxy(server, transport, { timeoutMs: 3000 });
    const handler = createHandler(server, { onError: () => {} });
    try {
      expect(proxied.tools).toEqual(["t"]);
      const big = "x".repeat(900 * 1024);
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const answer = await modern(handler, "tools/call", { name: "t", arguments: { big } });
          return { text: answer.result?.content?.[0]?.text as string };
        }),
      );
      const unreachable = answers.filter((a) => a.text === "The upstream MCP server could not be reached");
      const late = answers.filter((a) => a.text === "The upstream MCP server did not answer in time");
      // About 8 MiB of calls wait for the timeout; the rest fail as soon as they are sent.
      expect(late.length).toBeLessThanOrEqual(MAX_PENDING_BYTES / (900 * 1024) + 1);
      expect(unreachable.length).toBeGreaterThanOrEqual(20 - late.length);
      expect(late.length + unreachable.length).toBe(20);
    } finally {
      await proxied.close();
    }
  });
});
