/**
 * End to end, legacy era: the official v1 SDK client (`@modelcontextprotocol/sdk`, protocol 2025-11-25)
 * against the quickstart on the Node adapter.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, step, type TestServer } from "./_server.ts";

describe("legacy era with the v1 SDK client", () => {
  let server: TestServer;
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  const elicitations: unknown[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    client = new Client(
      { name: "e2e-legacy", version: "1.0.0" },
      { capabilities: { elicitation: {}, sampling: {} } },
    );
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicitations.push(request.params);
      return { action: "accept", content: { name: "Ada" } };
    });
    client.setRequestHandler(CreateMessageRequestSchema, () => ({
      role: "assistant",
      content: { type: "text", text: "short" },
      model: "test-model",
    }));
    transport = new StreamableHTTPClientTransport(server.endpoint);
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it("negotiates 2025-11-25 and opens a session", () => {
    expect(transport.protocolVersion).toBe("2025-11-25");
    expect(transport.sessionId).toMatch(/.+/);
    expect(client.getServerVersion()).toMatchObject({ name: "portico-quickstart", version: "0.1.0" });
    expect(client.getServerCapabilities()).toMatchObject({
      tools: {},
      resources: {},
      prompts: {},
      completions: {},
    });
  });

  it("lists tools with their schemas", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["add", "countdown", "greet", "slow", "summarize"]));
    const add = tools.find((t) => t.name === "add");
    expect(add?.inputSchema).toMatchObject({
      type: "object",
      properties: { a: { type: "number" }, b: { type: "number" } },
    });
    expect(add?.outputSchema).toMatchObject({ type: "object", properties: { sum: { type: "number" } } });
    expect(add?.annotations).toMatchObject({ readOnlyHint: true });
  });

  it("calls add and receives structured content", async () => {
    const result = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ sum: 42 });
    expect(result.content).toEqual([{ type: "text", text: "42" }]);
  });

  it("reports invalid tool arguments as a tool error", async () => {
    const result = await client.callTool({ name: "add", arguments: { a: "two", b: 40 } });
    expect(result.isError).toBe(true);
  });

  it("streams progress notifications from countdown", async () => {
    const progress: Progress[] = [];
    const result = await client.callTool(
      { name: "countdown", arguments: { from: 3 } },
      CallToolResultSchema,
      {
        onprogress: (p) => progress.push(p),
      },
    );
    expect(result.content).toEqual([{ type: "text", text: "Liftoff!" }]);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[0]).toMatchObject({ progress: 1, total: 3 });
  });

  it("answers an elicitation request from greet", async () => {
    const result = await client.callTool({ name: "greet", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    expect(elicitations).toHaveLength(1);
    expect(elicitations[0]).toMatchObject({ message: "What is your name?" });
  });

  it("answers a sampling request", async () => {
    const result = await client.callTool({ name: "summarize", arguments: { text: "a long story" } });
    expect(result.content).toEqual([{ type: "text", text: "Summary: short" }]);
  });

  it("lists and reads resources", async () => {
    const { resources } = await client.listResources();
    expect(resources).toEqual([
      expect.objectContaining({
        uri: "ui://portico-quickstart/sales-chart.html",
        mimeType: "text/html;profile=mcp-app",
      }),
      expect.objectContaining({ uri: "quickstart://readme", name: "readme", mimeType: "text/plain" }),
    ]);
    const read = await client.readResource({ uri: "quickstart://readme" });
    expect(read.contents).toEqual([
      { uri: "quickstart://readme", mimeType: "text/plain", text: "A Portico quickstart server." },
    ]);
  });

  it("lists and gets prompts", async () => {
    const { prompts } = await client.listPrompts();
    const review = prompts.find((p) => p.name === "review");
    expect(review?.arguments).toEqual([expect.objectContaining({ name: "code", required: true })]);
    const got = await client.getPrompt({ name: "review", arguments: { code: "let x = 1" } });
    expect(got.messages).toEqual([
      { role: "user", content: { type: "text", text: "Please review:\nlet x = 1" } },
    ]);
  });

  it("completes a prompt argument", async () => {
    const result = await client.complete({
      ref: { type: "ref/prompt", name: "pick-language" },
      argument: { name: "language", value: "ty" },
    });
    expect(result.completion.values).toEqual(["typescript"]);
  });

  it("cancels a running tool: the tool's signal fires", async () => {
    const controller = new AbortController();
    const run = server.slow("legacy");
    const call = client.callTool({ name: "slow", arguments: { key: "legacy" } }, CallToolResultSchema, {
      signal: controller.signal,
    });
    await step("the slow tool to start", run.started);
    controller.abort("user cancelled");
    await expect(step("the aborted call to reject", call)).rejects.toThrow(/abort|cancel/i);
    await expect(step("the tool's ctx.signal to fire", run.aborted)).resolves.toBeDefined();
    // The session still works after the cancellation.
    const after = await client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
    expect(after.structuredContent).toEqual({ sum: 2 });
  });

  it("terminates the session: further requests fail with 404", async () => {
    const sessionId = transport.sessionId;
    expect(sessionId).toBeDefined();
    await transport.terminateSession();
    // The terminated client has no session any more: its next request is refused.
    await expect(client.listTools()).rejects.toThrow();

    // The SDK client keeps using the now-dead session id through a fresh transport.
    const stale = new StreamableHTTPClientTransport(server.endpoint, { sessionId: sessionId as string });
    const staleClient = new Client({ name: "e2e-legacy-stale", version: "1.0.0" });
    stale.setProtocolVersion("2025-11-25");
    // Connecting with a known session id skips initialize; any request must now fail.
    await staleClient.connect(stale);
    await expect(staleClient.listTools()).rejects.toMatchObject({ code: 404 });
    await staleClient.close();

    // On the wire: the old session id is answered with 404.
    const response = await fetch(server.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-session-id": sessionId as string,
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/list", params: {} }),
    });
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });
});
