/**
 * A non-2xx answer's reason phrase is the API's text, of any length and with any bytes: the error
 * result shows at most 100 characters of it and 500 of the body, control characters (escape
 * sequences, newlines) as spaces. Before, a 12 KB phrase naming an internal host, with terminal
 * escape sequences, reached the client whole. The phrase is sent by a raw TCP server: `node:http`
 * and `Response` refuse to write such a phrase, real servers and proxies do not.
 */
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDefinitions } from "../src/index.ts";
import { modern, testHandler } from "./_helpers.ts";

const phrase = `Bad Gateway (upstream db-primary.internal.corp:5432) ${"x".repeat(12_000)}\x1b[2J\x07`;
const body = `oops\x1b[31m!\r\n${"y".repeat(2_000)}`;

let server: Server;
let base: string;
const sockets = new Set<Socket>();
beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.once("data", () => {
      const bytes = Buffer.from(body);
      socket.end(
        `HTTP/1.1 502 ${phrase}\r\ncontent-type: text/plain\r\ncontent-length: ${bytes.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("a non-2xx answer's error result", () => {
  it("shows at most 100 characters of the reason phrase and 500 of the body, without control characters", async () => {
    const { server: mcp, handler } = testHandler();
    loadDefinitions(mcp, { tools: [{ name: "t", http: { method: "GET", url: `${base}/x` } }] });
    const answer = await modern(handler, "tools/call", { name: "t", arguments: {} });
    const text: string = answer.result.content[0].text;
    expect(answer.result.isError).toBe(true);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking there are none
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    const [, reason, excerpt] = /^Tool "t": HTTP 502 (.*?): (oops \[31m! y+…)$/.exec(text) ?? [];
    expect(reason).toBe(`Bad Gateway (upstream db-primary.internal.corp:5432) ${"x".repeat(46)}…`);
    expect(reason?.length).toBe(100);
    expect(excerpt?.length).toBe(500);
  });
});
