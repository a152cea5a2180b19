/**
 * `portico stdio`: the MCP SDK v1 client launches the CLI as a stdio server; stdout carries nothing
 * but JSON-RPC (a module's console output goes to stderr); the process ends with its input.
 */
import { spawn } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { describe, expect, it } from "vitest";
import { BIN, FIXTURE } from "./_cli.ts";

const NOISY = new URL("./entries/noisy.ts", import.meta.url).pathname;

describe("portico stdio", () => {
  it("serves the module to the SDK v1 stdio client", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ["--conditions=@portico/source", BIN, "stdio", `${FIXTURE}tools.ts`],
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    const client = new Client({ name: "stdio-test", version: "1.0.0" });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "cli-fixture" });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(["add", "ask", "echo", "fail", "greet"]);
      expect(await client.callTool({ name: "add", arguments: { a: 40, b: 2 } })).toMatchObject({
        content: [{ type: "text", text: "42" }],
      });
      expect(await client.callTool({ name: "fail", arguments: {} })).toMatchObject({ isError: true });
    } finally {
      await client.close();
    }
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it("keeps stdout to JSON-RPC: console output of the module goes to stderr; ends with stdin", async () => {
    const child = spawn(process.execPath, ["--conditions=@portico/source", BIN, "stdio", NOISY], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    const lines = () => stdout.split("\n").filter((line) => line !== "");
    const until = async (count: number) => {
      for (let i = 0; i < 200 && lines().length < count; i++) await new Promise((r) => setTimeout(r, 50));
    };
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      send({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "raw", version: "1" },
        },
      });
      await until(1);
      send({ jsonrpc: "2.0", method: "notifications/initialized" });
      send({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "who", arguments: {} } });
      await until(2);
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
    const messages = lines().map((line) => JSON.parse(line));
    expect(messages).toEqual([
      expect.objectContaining({
        id: 1,
        result: expect.objectContaining({ serverInfo: { name: "noisy", version: "1.0.0" } }),
      }),
      expect.objectContaining({
        id: 2,
        result: expect.objectContaining({ content: [{ type: "text", text: "noisy" }] }),
      }),
    ]);
    expect(stderr).toContain("loading the noisy module");
    expect(stderr).toContain("the noisy tool runs");
  });
});
