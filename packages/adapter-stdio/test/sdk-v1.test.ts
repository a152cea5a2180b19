/**
 * The 2025 era end to end: the official v1 SDK client (`@modelcontextprotocol/sdk` 1.32.2) launches
 * the fixture over its stdio transport, as Claude Desktop or Cursor would.
 */
import type { ChildProcess } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  CallToolResultSchema,
  ElicitRequestSchema,
  type Progress,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Exit, exitOf, FIXTURE_ARGS, killGroup, NODE, PACKAGE_DIR, step } from "./_helpers.ts";

describe("2025 era: the v1 SDK client over stdio", () => {
  let client: Client;
  let transport: StdioClientTransport;
  let child: ChildProcess | undefined;
  let exited: Promise<Exit>;
  let stderr = "";
  const elicitations: unknown[] = [];
  let listChanged: () => void = () => {};
  const listChangedSeen = new Promise<void>((resolve) => {
    listChanged = resolve;
  });

  beforeAll(async () => {
    client = new Client({ name: "stdio-v1", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicitations.push(request.params);
      return { action: "accept", content: { name: "Ada" } };
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => listChanged());
    transport = new StdioClientTransport({
      command: NODE,
      args: FIXTURE_ARGS,
      cwd: PACKAGE_DIR,
      stderr: "pipe",
    });
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    await client.connect(transport);
    // The SDK keeps the child private; the test needs its exit code.
    child = (transport as unknown as { _process?: ChildProcess })._process;
    if (child === undefined) throw new Error("no child process");
    exited = exitOf(child);
  });

  afterAll(async () => {
    await client?.close().catch(() => {});
    killGroup(child);
  });

  it("initializes a 2025-11-25 session", () => {
    expect(client.getServerVersion()).toEqual({ name: "stdio-fixture", version: "1.0.0" });
    expect(client.getServerCapabilities()).toMatchObject({ tools: { listChanged: true } });
  });

  it("lists tools", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "add",
      "countdown",
      "greet",
      "grow",
      "slow",
      "region",
      "noisy",
    ]);
    expect(tools[0]?.inputSchema).toMatchObject({ type: "object", properties: { a: { type: "number" } } });
  });

  it("calls add", async () => {
    const result = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
    expect(result.structuredContent).toEqual({ sum: 42 });
    expect(result.content).toEqual([{ type: "text", text: "42" }]);
  });

  it("delivers progress notifications before the result", async () => {
    const progress: Progress[] = [];
    const result = await client.callTool(
      { name: "countdown", arguments: { from: 3 } },
      CallToolResultSchema,
      {
        onprogress: (p) => progress.push(p),
      },
    );
    expect(result.content).toEqual([{ type: "text", text: "done" }]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
    expect(progress[2]).toMatchObject({ total: 3, message: "step 3" });
  });

  it("answers an elicitation with the client's handler", async () => {
    const result = await client.callTool({ name: "greet", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    expect(elicitations).toEqual([expect.objectContaining({ message: "What is your name?" })]);
  });

  it("delivers tools/list_changed on the session's stream when a tool is added", async () => {
    const result = await client.callTool({ name: "grow", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "extra_1" }]);
    await step("notifications/tools/list_changed", listChangedSeen);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain("extra_1");
  });

  it("runs requests concurrently: a slow tool does not hold up a quick one", async () => {
    const slow = client.callTool({ name: "slow", arguments: { ms: 1500 } });
    const quick = client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
    // The quick answer comes first whatever the machine's load (no wall-clock bound).
    const first = await Promise.race([slow.then(() => "slow"), quick.then(() => "quick")]);
    expect(first).toBe("quick");
    expect((await quick).structuredContent).toEqual({ sum: 2 });
    expect((await slow).content).toEqual([{ type: "text", text: "waited 1500 ms" }]);
  });

  it("keeps console.log and process.stdout.write of a tool off stdout", async () => {
    const result = await client.callTool({ name: "noisy", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "quiet" }]);
    await step(
      "the tool's output on stderr",
      waitFor(() => stderr.includes("noise from a tool") && stderr.includes("stdout noise from a tool")),
    );
  });

  it("exits 0 promptly when the client closes", async () => {
    const started = Date.now();
    await client.close();
    // The SDK waits up to 2 s for the exit before it sends SIGTERM: an exit of its own comes first.
    expect(await step("the child to exit", exited)).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(1900);
    expect(stderr).toContain("[fixture] closed");
  });
});

function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 20));
    poll();
  });
}
