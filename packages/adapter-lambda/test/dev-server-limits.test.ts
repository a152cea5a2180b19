/** The Lambda dev server reads request bodies up to a limit (413 beyond), as Lambda itself does. */
import { addTool, createHandler, McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LambdaDevServer, serveLambda } from "../src/dev/index.ts";
import { handle } from "../src/index.ts";

let server: LambdaDevServer;
beforeAll(async () => {
  const mcp = new McpServer({ name: "limits", version: "1" });
  addTool(mcp, "t", {}, () => "x");
  server = await serveLambda(handle(createHandler(mcp)), { port: 0, maxBodyBytes: 64 * 1024 });
});
afterAll(() => server?.close());

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
    duplex: "half",
  } as RequestInit);

describe("serveLambda body limit", () => {
  it("answers 413 for a declared length over the limit", async () => {
    const answer = await post("x".repeat(65 * 1024));
    expect(answer.status).toBe(413);
    expect(await answer.json()).toMatchObject({ error: { message: "Payload Too Large" } });
  });

  it("answers 413 for a chunked body that grows over the limit", async () => {
    let sent = 0;
    const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 10) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const answer = await post(stream).catch((error: unknown) => error);
    // The server answers 413 and closes; a client still uploading may see the reset instead.
    if (answer instanceof Response) expect(answer.status).toBe(413);
    else expect(String((answer as Error).cause ?? answer)).toMatch(/reset|closed|EPIPE|socket/i);
  });

  it("still serves bodies under the limit", async () => {
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
    });
    expect((await post(body)).status).toBe(200);
  });
});
