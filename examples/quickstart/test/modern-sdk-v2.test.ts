/**
 * End to end, modern era: the official v2 SDK client (`@modelcontextprotocol/client`, pinned to
 * protocol 2026-07-28) against the quickstart on the Node adapter. Stateless: no session, MRTR for
 * elicitation and sampling, closing the response stream is cancellation.
 */
import { Client, type Progress, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, step, type TestServer } from "./_server.ts";

describe("modern era with the v2 SDK client", () => {
  let server: TestServer;
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  const elicitations: unknown[] = [];
  const samplings: unknown[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    client = new Client(
      { name: "e2e-modern", version: "1.0.0" },
      {
        capabilities: { elicitation: {}, sampling: {} },
        versionNegotiation: { mode: { pin: "2026-07-28" } },
      },
    );
    client.setRequestHandler("elicitation/create", (request) => {
      elicitations.push(request.params);
      return { action: "accept", content: { name: "Ada" } };
    });
    client.setRequestHandler("sampling/createMessage", (request) => {
      samplings.push(request.params);
      return { role: "assistant", content: { type: "text", text: "short" }, model: "test-model" };
    });
    transport = new StreamableHTTPClientTransport(server.endpoint);
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it("negotiates the modern era through server/discover, without a session", () => {
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    expect(transport.sessionId).toBeUndefined();
    expect(client.getServerVersion()).toMatchObject({ name: "portico-quickstart", version: "0.1.0" });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {} });
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
      { onprogress: (p) => progress.push(p) },
    );
    expect(result.content).toEqual([{ type: "text", text: "Liftoff!" }]);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress[0]).toMatchObject({ progress: 1, total: 3 });
  });

  it("fulfils elicitation through an input_required round trip", async () => {
    const result = await client.callTool({ name: "greet", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    expect(elicitations).toHaveLength(1);
    expect(elicitations[0]).toMatchObject({ message: "What is your name?" });
  });

  it("fulfils sampling through an input_required round trip", async () => {
    const result = await client.callTool({ name: "summarize", arguments: { text: "a long story" } });
    expect(result.content).toEqual([{ type: "text", text: "Summary: short" }]);
    expect(samplings).toHaveLength(1);
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

  it("cancels a streaming tool call by closing its stream: the tool's signal fires", async () => {
    const controller = new AbortController();
    const run = server.slow("modern-streaming");
    const progress: Progress[] = [];
    const call = client.callTool(
      { name: "slow", arguments: { key: "modern-streaming" } },
      { signal: controller.signal, onprogress: (p) => progress.push(p) },
    );
    await step("the slow tool to start", run.started);
    controller.abort("user cancelled");
    await expect(step("the aborted call to reject", call)).rejects.toThrow(/abort|cancel/i);
    await expect(step("the tool's ctx.signal to fire", run.aborted)).resolves.toBeDefined();
  });

  it("cancels a plain (non-streaming) tool call by closing the connection: the tool's signal fires", async () => {
    const controller = new AbortController();
    const run = server.slow("modern-plain");
    const call = client.callTool(
      { name: "slow", arguments: { key: "modern-plain" } },
      { signal: controller.signal },
    );
    await step("the slow tool to start", run.started);
    controller.abort("user cancelled");
    await expect(step("the aborted call to reject", call)).rejects.toThrow(/abort|cancel/i);
    await expect(step("the tool's ctx.signal to fire", run.aborted)).resolves.toBeDefined();
    // Stateless: the next call works as ever.
    const after = await client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
    expect(after.structuredContent).toEqual({ sum: 2 });
  });
});
