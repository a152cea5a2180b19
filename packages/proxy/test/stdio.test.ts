/**
 * An SDK v1 server on stdio (a child process) proxied through Portico, through our
 * `stdioTransport` and through the SDK's own `StdioClientTransport`, called by an SDK client over
 * Streamable HTTP: definitions, calls, progress, completions, following changes, resource updates,
 * a crashing child, and `close()` ending the child.
 */
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { serve } from "@portico/adapter-node";
import { createHandler, McpServer, type ServerEvent } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProxyRegistration, type ProxyTransport, proxy } from "../src/index.ts";
import { stdioTransport } from "../src/stdio.ts";
import { waitFor } from "./_wait.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/stdio-server.mjs", import.meta.url));
const child = { command: process.execPath, args: [FIXTURE], stderr: "ignore" as const };

const transports: Record<string, () => ProxyTransport> = {
  stdioTransport: () => stdioTransport(child),
  "the SDK's StdioClientTransport": () => new StdioClientTransport(child),
};

type Text = { type: string; text: string }[];

/** A Portico server proxying a fresh child, served on 127.0.0.1, and an SDK client of it. */
async function start(make: () => ProxyTransport) {
  const server = new McpServer({ name: "front", version: "1.0.0" });
  const events: ServerEvent[] = [];
  server.subscribe((event) => events.push(event));
  const proxied = await proxy(server, make(), { timeoutMs: 10_000 });
  const http = await serve(createHandler(server, { onError: () => {} }), { port: 0, hostname: "127.0.0.1" });
  const client = new Client({ name: "caller", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
  return {
    server,
    events,
    proxied,
    client,
    stop: async () => {
      await client.close();
      await http.close();
      await proxied.close();
    },
  };
}

for (const [name, make] of Object.entries(transports)) {
  describe(`a stdio SDK v1 server through ${name}`, () => {
    let f: Awaited<ReturnType<typeof start>>;

    beforeAll(async () => {
      f = await start(make);
    });

    afterAll(async () => {
      await f.stop();
    });

    it("registers the remote's definitions in the legacy era", () => {
      expect(f.proxied.era).toBe("legacy");
      expect(f.proxied.tools).toEqual([
        "add",
        "fail",
        "slow",
        "crash",
        "grow",
        "shrink",
        "touch",
        "progress",
      ]);
      expect(f.proxied.resources).toEqual(["note://a"]);
      expect(f.proxied.templates).toEqual(["note://{id}"]);
      expect(f.proxied.prompts).toEqual(["greet"]);
    });

    it("lists and calls tools", async () => {
      const { tools } = await f.client.listTools();
      expect(tools.find((t) => t.name === "add")).toMatchObject({ description: "Adds two numbers" });
      const result = await f.client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
      expect(result).toMatchObject({ content: [{ type: "text", text: "5" }], structuredContent: { sum: 5 } });
      const failed = await f.client.callTool({ name: "fail", arguments: {} });
      expect(failed).toMatchObject({ isError: true, content: [{ text: "intentional failure" }] });
    });

    it("runs concurrent calls, each with its own answer", async () => {
      const results = await Promise.all(
        [1, 2, 3].map((n) => f.client.callTool({ name: "add", arguments: { a: n, b: 10 } })),
      );
      expect(results.map((r) => (r.structuredContent as { sum: number }).sum)).toEqual([11, 12, 13]);
    });

    it("reads resources and templates, and gets prompts", async () => {
      const read = await f.client.readResource({ uri: "note://a" });
      expect(read.contents).toEqual([{ uri: "note://a", mimeType: "text/plain", text: "hello from a" }]);
      const templated = await f.client.readResource({ uri: "note://42" });
      expect(templated.contents).toEqual([{ uri: "note://42", text: "note 42" }]);
      const prompt = await f.client.getPrompt({ name: "greet", arguments: { name: "Ada" } });
      expect(prompt.messages).toEqual([{ role: "user", content: { type: "text", text: "Hello, Ada!" } }]);
    });

    it("relays progress to the caller whose call it is", async () => {
      const seen: number[] = [];
      const result = await f.client.callTool({ name: "progress", arguments: {} }, undefined, {
        onprogress: (p) => seen.push(p.progress),
      });
      expect((result.content as Text)[0]?.text).toBe("done");
      expect(seen).toEqual([1, 2]);
    });

    it("forwards completions of prompt arguments and template variables", async () => {
      const names = await f.client.complete({
        ref: { type: "ref/prompt", name: "greet" },
        argument: { name: "name", value: "A" },
      });
      expect(names.completion.values).toEqual(["Ada", "Alan"]);
      const ids = await f.client.complete({
        ref: { type: "ref/resource", uri: "note://{id}" },
        argument: { name: "id", value: "1" },
      });
      expect(ids.completion.values).toEqual(["1", "12"]);
    });

    it("follows the remote's tool list changes, and the caller hears of them", async () => {
      let heard = 0;
      f.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        heard++;
      });
      await f.client.callTool({ name: "grow", arguments: {} });
      await waitFor("tool extra", () => f.proxied.tools.includes("extra"));
      const { tools } = await f.client.listTools();
      expect(tools.map((t) => t.name)).toContain("extra");
      const extra = await f.client.callTool({ name: "extra", arguments: {} });
      expect((extra.content as Text)[0]?.text).toBe("extra");
      await waitFor("tools/list_changed at the caller", () => heard > 0);
      await f.client.callTool({ name: "shrink", arguments: {} });
      await waitFor("tool extra removed", () => !f.proxied.tools.includes("extra"));
    });

    it("subscribes upstream to the resources and announces their updates", async () => {
      // The subscription is made in the background once the resources are registered.
      await waitFor("the upstream subscription", async () => {
        const touched = await f.client.callTool({ name: "touch", arguments: {} });
        return (touched.content as Text)[0]?.text === "updated";
      });
      await waitFor("resource_updated", () =>
        f.events.some((e) => e.type === "resource_updated" && e.uri === "note://a"),
      );
    });
  });
}

describe("a stdio child that ends", () => {
  it("fails the call in flight and later calls as tool errors, without a hang", async () => {
    const f = await start(transports.stdioTransport as () => ProxyTransport);
    try {
      const crashed = await f.client.callTool({ name: "crash", arguments: {} });
      expect(crashed).toMatchObject({
        isError: true,
        content: [{ type: "text", text: "The upstream MCP server could not be reached" }],
      });
      const later = await f.client.callTool({ name: "add", arguments: { a: 1, b: 1 } });
      expect(later).toMatchObject({ isError: true });
      expect(JSON.stringify(later)).not.toContain("stdio");
    } finally {
      await f.stop();
    }
  });

  it("is ended by close(), for both transports", async () => {
    const lines: string[] = [];
    const ours = stdioTransport({ ...child, stderr: (line) => lines.push(line) });
    const sdk = new StdioClientTransport(child);
    for (const transport of [ours, sdk]) {
      const server = new McpServer({ name: "front", version: "1.0.0" });
      const proxied: ProxyRegistration = await proxy(server, transport);
      await waitFor("the child's pid", () => transport === sdk || lines.some((l) => l.startsWith("pid ")));
      const pid = transport === sdk ? sdk.pid : Number(lines.find((l) => l.startsWith("pid "))?.slice(4));
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid as number, 0)).not.toThrow();
      await proxied.close();
      expect(proxied.tools).toEqual([]);
      await waitFor("the child to end", () => {
        try {
          process.kill(pid as number, 0);
          return false;
        } catch {
          return true;
        }
      });
    }
  });
});

describe("stdioTransport", () => {
  it("treats a line longer than maxLineBytes as an error and ends the child", async () => {
    const transport = stdioTransport({
      command: process.execPath,
      args: ["-e", "process.stdout.write('x'.repeat(5000)); setInterval(() => {}, 1000)"],
      maxLineBytes: 1024,
    });
    const errors: Error[] = [];
    let closed = false;
    transport.onerror = (error) => errors.push(error);
    transport.onclose = () => {
      closed = true;
    };
    await transport.start();
    try {
      await waitFor("the child to be ended", () => closed);
      expect(errors[0]?.message).toContain("longer than 1024 bytes");
    } finally {
      await transport.close();
    }
  });

  it("fails start() when the command cannot be run", async () => {
    const transport = stdioTransport({ command: "/nonexistent/portico-mcp-server" });
    await expect(transport.start()).rejects.toThrow();
    await transport.close();
  });
});
