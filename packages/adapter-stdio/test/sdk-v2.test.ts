/**
 * The 2026-07-28 era end to end: the official v2 SDK client (`@modelcontextprotocol/client` 2.4.0),
 * pinned to 2026-07-28, launches the fixture over its stdio transport. Stateless: `server/discover`,
 * the `_meta` envelope on every request (the adapter derives the HTTP binding's `Mcp-*` headers
 * from it), elicitation as an `input_required` round trip, `subscriptions/listen` for list changes,
 * and `notifications/cancelled` as cancellation.
 */
import type { ChildProcess } from "node:child_process";
import { Client, type Progress } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Exit, exitOf, FIXTURE_ARGS, killGroup, NODE, PACKAGE_DIR, step } from "./_helpers.ts";

describe("2026-07-28 era: the v2 SDK client over stdio", () => {
  let client: Client;
  let transport: StdioClientTransport;
  let child: ChildProcess | undefined;
  let exited: Promise<Exit>;
  let stderr = "";
  const elicitations: unknown[] = [];

  beforeAll(async () => {
    client = new Client(
      { name: "stdio-v2", version: "1.0.0" },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    client.setRequestHandler("elicitation/create", (request) => {
      elicitations.push(request.params);
      return { action: "accept", content: { name: "Ada" } };
    });
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
    child = (transport as unknown as { _process?: ChildProcess })._process;
    if (child === undefined) throw new Error("no child process");
    exited = exitOf(child);
  });

  afterAll(async () => {
    await client?.close().catch(() => {});
    killGroup(child);
  });

  it("negotiates 2026-07-28 through server/discover", () => {
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    expect(client.getServerVersion()).toMatchObject({ name: "stdio-fixture", version: "1.0.0" });
  });

  it("lists tools and calls add", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["add", "countdown", "greet", "region"]));
    const result = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
    expect(result.structuredContent).toEqual({ sum: 42 });
  });

  it("delivers progress notifications", async () => {
    const progress: Progress[] = [];
    const result = await client.callTool(
      { name: "countdown", arguments: { from: 3 } },
      { onprogress: (p) => progress.push(p) },
    );
    expect(result.content).toEqual([{ type: "text", text: "done" }]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
  });

  it("fulfils an elicitation through an input_required round trip", async () => {
    const result = await client.callTool({ name: "greet", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
    expect(elicitations).toEqual([expect.objectContaining({ message: "What is your name?" })]);
  });

  it("mirrors an x-mcp-header argument in its Mcp-Param-* header", async () => {
    const result = await client.callTool({ name: "region", arguments: { region: "eu-west-1" } });
    expect(result.content).toEqual([{ type: "text", text: "region eu-west-1 (header eu-west-1)" }]);
    const unicode = await client.callTool({ name: "region", arguments: { region: " Zürich " } });
    expect(unicode.content).toEqual([
      {
        type: "text",
        text: `region  Zürich  (header =?base64?${Buffer.from(" Zürich ").toString("base64")}?=)`,
      },
    ]);
  });

  it("delivers list changes on subscriptions/listen, and closes the subscription", async () => {
    let changed: () => void = () => {};
    const seen = new Promise<void>((resolve) => {
      changed = resolve;
    });
    client.setNotificationHandler("notifications/tools/list_changed", () => changed());
    const subscription = await client.listen({ toolsListChanged: true });
    const result = await client.callTool({ name: "grow", arguments: {} });
    expect(result.content).toEqual([{ type: "text", text: "extra_1" }]);
    await step("notifications/tools/list_changed", seen);
    await subscription.close();
  });

  it("cancels a call with notifications/cancelled: the tool's signal fires", async () => {
    const controller = new AbortController();
    const call = client.callTool({ name: "slow", arguments: { ms: 20_000 } }, { signal: controller.signal });
    await step(
      "the slow tool to start",
      waitFor(() => stderr.includes("[fixture] slow started")),
    );
    controller.abort("user cancelled");
    await expect(call).rejects.toThrow();
    await step(
      "the tool's ctx.signal to fire",
      waitFor(() => stderr.includes("[fixture] slow aborted")),
    );
  });

  it("exits 0 promptly when the client closes", async () => {
    const started = Date.now();
    await client.close();
    expect(await step("the child to exit", exited)).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(1900);
  });
});

function waitFor(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const poll = () => (check() ? resolve() : setTimeout(poll, 20));
    poll();
  });
}
