/**
 * A client that goes away mid-upload is not a server error: nothing reaches `onError` (neither
 * the adapter's nor the core's), and the server serves the next request.
 */
import { connect } from "node:net";
import { addTool, createHandler, McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Server, serve } from "../src/index.ts";

const errors: unknown[] = [];
let server: Server;

beforeAll(async () => {
  const mcp = new McpServer({ name: "abort", version: "1" });
  addTool(mcp, "t", {}, () => "x");
  const handler = createHandler(mcp, { onError: (e) => void errors.push(e) });
  server = await serve(handler, { port: 0, onError: (e) => void errors.push(e) });
});
afterAll(() => server?.close());

describe("an upload the client abandons", () => {
  it("is not reported, and the server carries on", async () => {
    const { port } = new URL(server.url);
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
              "Accept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n" +
              '{"jsonrpc":"2.0","id":1,"method":"initia',
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 50);
        });
        socket.on("error", reject);
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ping = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
      }),
    });
    expect(ping.status).toBe(200);
    expect(errors).toEqual([]);
  });
});
