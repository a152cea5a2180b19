/**
 * Deeply nested JSON on stdin (well under `maxLineBytes`): `JSON.parse` takes it, but anything that
 * recurses over it (`JSON.stringify`) overflows the stack. The server must not crash (a throw in the
 * stdin handler) nor leave a request unanswered: the line goes to the handler as it came, and the
 * handler's own depth bound answers it. A request whose handling fails in the adapter is answered
 * `-32603` under its id, the cause logged.
 */
import { PassThrough } from "node:stream";
import { addTool, createHandler, McpServer } from "@portico/core";
import type { FetchApp } from "@portico/host";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type StdioServer, serveStdio } from "../src/index.ts";
import { step } from "./_helpers.ts";

const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
};
/** 200,000 levels: far beyond any stack, 400 KB of text. */
const DEEP = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;

interface Harness {
  server: StdioServer;
  logs: string[];
  send(line: string): void;
  /** The output message with this id (waits for it, at most 5 s). */
  answer(id: unknown): Promise<Record<string, unknown>>;
}

let running: StdioServer | undefined;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => {
  uncaught.push(error);
};

beforeEach(() => {
  uncaught.length = 0;
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
});

afterEach(async () => {
  await running?.close();
  running = undefined;
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onUncaught);
});

function harness(app: FetchApp): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  const logs: string[] = [];
  const server = serveStdio(app, { input, output, log: (line) => logs.push(line), redirectConsole: false });
  running = server;
  const messages: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];
  let text = "";
  output.setEncoding("utf8");
  output.on("data", (chunk: string) => {
    const parts = (text + chunk).split("\n");
    text = parts.pop() ?? "";
    for (const line of parts) messages.push(JSON.parse(line));
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    server,
    logs,
    send: (line) => {
      input.write(`${line}\n`);
    },
    answer: (id) =>
      step(
        `the answer for id ${String(id)}`,
        new Promise((resolve) => {
          const look = () => {
            const found = messages.find((m) => m.id === id);
            if (found !== undefined) resolve(found);
            else waiters.push(look);
          };
          look();
        }),
        5000,
      ),
  };
}

function portico(): FetchApp {
  const server = new McpServer({ name: "deep", version: "1.0.0" });
  addTool(server, "hello", { description: "Says hello." }, () => "hello");
  return createHandler(server);
}

/** A stateless (2026-07-28) tools/list, with `extra` members in its params. */
const list = (id: number, extra = "") =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/list","params":{"_meta":${JSON.stringify(MODERN_META)}${extra}}}`;

describe("deeply nested JSON", () => {
  it("a deep notification and a deep reply do not stop the server", async () => {
    const h = harness(portico());
    h.send(`{"jsonrpc":"2.0","method":"notifications/anything","params":{"x":${DEEP}}}`);
    h.send(`{"jsonrpc":"2.0","id":77,"result":{"x":${DEEP}}}`);
    h.send(list(2));
    expect(await h.answer(2)).toMatchObject({
      jsonrpc: "2.0",
      id: 2,
      result: { tools: [{ name: "hello" }] },
    });
    // Both reached the handler as they came, which refused them (logged).
    await vi.waitFor(() =>
      expect(h.logs).toEqual(
        expect.arrayContaining([
          "the MCP handler refused the notification notifications/anything: HTTP 400 (Invalid Request: JSON nested deeper than 64 levels)",
          "the MCP handler refused a reply: HTTP 400 (Invalid Request: JSON nested deeper than 64 levels)",
        ]),
      ),
    );
    expect(uncaught).toEqual([]);
  });

  it("answers a deep request with the handler's -32600 under its id", async () => {
    const h = harness(portico());
    h.send(list(1, `,"x":${DEEP}`));
    expect(await h.answer(1)).toEqual({
      jsonrpc: "2.0",
      id: 1,
      error: { code: -32600, message: "Invalid Request: JSON nested deeper than 64 levels" },
    });
    h.send(list(2));
    expect(await h.answer(2)).toMatchObject({ result: { tools: [{ name: "hello" }] } });
    expect(uncaught).toEqual([]);
  });

  it("answers each request of a deep batch", async () => {
    const h = harness(portico());
    h.send(`[${list(3, `,"x":${DEEP}`)}]`);
    expect(await h.answer(3)).toMatchObject({ error: { code: -32600 } });
    expect(uncaught).toEqual([]);
  });
});

describe("a request whose handling fails in the adapter", () => {
  it("is answered -32603 under its id, and the cause is logged", async () => {
    // A JSON answer whose body breaks off: reading it fails after the handler answered.
    const h = harness({
      fetch: () =>
        new Response(
          new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('{"jsonrpc":"2.0",'));
              controller.error(new Error("the body broke off"));
            },
          }),
          { headers: { "content-type": "application/json" } },
        ),
    });
    h.send(list(5));
    expect(await h.answer(5)).toEqual({
      jsonrpc: "2.0",
      id: 5,
      error: { code: -32603, message: "Internal error" },
    });
    expect(h.logs).toContainEqual(expect.stringContaining("the body broke off"));
    h.send(`[${list(6)}]`);
    expect(await h.answer(6)).toMatchObject({ error: { code: -32603, message: "Internal error" } });
  });
});
