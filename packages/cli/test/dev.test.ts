/**
 * `portico dev`: serves the fixture module on Node, answers the real SDK clients of both eras (SDK
 * v1 with a legacy session, SDK v2 modern), logs one line per request, reloads on a change to the
 * module or a local import without dropping the port or the legacy session, and keeps serving the
 * last good version through a syntax error.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Running, start, stopAll, tempProject } from "./_cli.ts";

/** Resolves once the CLI has printed `count` reload lines. */
async function reloaded(cli: Running, count: number): Promise<void> {
  const pattern = new RegExp(`(?:^reloaded tools\\.ts \\(\\d+ ms\\)$[\\s\\S]*?){${count}}`, "m");
  await cli.waitFor(pattern);
}

function text(result: unknown): string {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return content.map((c) => c.text).join("\n");
}

describe("portico dev", () => {
  const project = tempProject();
  let cli: Running;
  let endpoint: URL;
  let v1: ClientV1;
  let v1Transport: TransportV1;
  let v2: ClientV2;
  let answerElicitation: () => Promise<{ action: "accept"; content: { name: string } }> = async () => ({
    action: "accept",
    content: { name: "Ada" },
  });

  beforeAll(async () => {
    cli = start(["dev", "tools.ts", "--port", "0"], { cwd: project.dir });
    const [, url] = await cli.waitFor(/at (http:\/\/127\.0\.0\.1:\d+\/mcp)\n/);
    endpoint = new URL(url as string);
    v1 = new ClientV1({ name: "dev-test-v1", version: "1.0.0" });
    v1Transport = new TransportV1(endpoint);
    await v1.connect(v1Transport);
    v2 = new ClientV2(
      { name: "dev-test-v2", version: "1.0.0" },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    v2.setRequestHandler("elicitation/create", () => answerElicitation());
    await v2.connect(new TransportV2(endpoint));
  });

  afterAll(async () => {
    await v1?.close();
    await v2?.close();
    await stopAll();
    project.remove();
  });

  it("prints the endpoint and serves both eras", async () => {
    expect(cli.stdout()).toMatch(
      /^portico dev: tools\.ts \(createFixtureServer\) on Node at http:\/\/127\.0\.0\.1:\d+\/mcp$/m,
    );
    expect(v1Transport.sessionId).toBeTypeOf("string");
    expect(v2.getProtocolEra()).toBe("modern");
    expect(text(await v1.callTool({ name: "greet", arguments: {} }))).toBe("hello, world");
    expect(text(await v2.callTool({ name: "add", arguments: { a: 2, b: 40 } }))).toBe("42");
  });

  it("logs one line per request: time, method, MCP method and tool, status, duration", async () => {
    await cli.waitFor(/POST tools\/call add/);
    const lines = cli.stdout().split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d POST initialize → 200 \d+ ms$/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^\d\d:\d\d:\d\d POST tools\/call greet → 200 \d+ ms$/),
    );
    // The modern client names the method in headers (Mcp-Method / Mcp-Name).
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d POST tools\/call add → 200 \d+ ms$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d GET → 200 \(stream\) \d+ ms$/));
  });

  it("reloads on a change to a local import, keeping the port and the legacy session", async () => {
    const session = v1Transport.sessionId;
    const file = join(project.dir, "greeting.ts");
    writeFileSync(file, readFileSync(file, "utf8").replace('"hello"', '"bonjour"'));
    await reloaded(cli, 1);
    expect(text(await v1.callTool({ name: "greet", arguments: {} }))).toBe("bonjour, world");
    expect(v1Transport.sessionId).toBe(session);
    expect(text(await v2.callTool({ name: "greet", arguments: {} }))).toBe("bonjour, world");
  });

  it("reloads on a change to the module itself: a new tool appears", async () => {
    const file = join(project.dir, "tools.ts");
    const source = readFileSync(file, "utf8");
    writeFileSync(
      file,
      source.replace(
        "  return server;",
        '  addTool(server, "added", { description: "Added while serving." }, () => "new");\n  return server;',
      ),
    );
    await reloaded(cli, 2);
    const { tools } = await v1.listTools();
    expect(tools.map((t) => t.name)).toContain("added");
    expect(text(await v2.callTool({ name: "added", arguments: {} }))).toBe("new");
  });

  it("keeps serving the last good version through a syntax error, saying where it is in one line", async () => {
    const file = join(project.dir, "tools.ts");
    const good = readFileSync(file, "utf8");
    writeFileSync(file, good.replace("return server;", "return server;;; }}} (("));
    const [line] = await cli.waitFor(/^tools\.ts:\d+:\d+: .+ — still serving the last good version$/m);
    expect(line.split("\n")).toHaveLength(1);
    expect(cli.stderr()).not.toMatch(/\n\s+at /);
    expect(text(await v1.callTool({ name: "added", arguments: {} }))).toBe("new");
    expect(text(await v2.callTool({ name: "greet", arguments: {} }))).toBe("bonjour, world");
    // Fixed again: the next build is served.
    writeFileSync(file, good.replace('() => "new"', '() => "newer"'));
    await reloaded(cli, 3);
    expect(text(await v1.callTool({ name: "added", arguments: {} }))).toBe("newer");
  });

  it("completes an MRTR round trip across a reload (one requestState secret per run)", async () => {
    const file = join(project.dir, "greeting.ts");
    // The reload happens between the server's input_required answer and the client's retry.
    answerElicitation = async () => {
      writeFileSync(file, readFileSync(file, "utf8").replace('"bonjour"', '"salut"'));
      await reloaded(cli, 4);
      return { action: "accept", content: { name: "Ada" } };
    };
    expect(text(await v2.callTool({ name: "ask", arguments: {} }))).toBe("salut, Ada");
  });
});
