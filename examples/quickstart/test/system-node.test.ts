/**
 * `npm run quickstart` starts the server on the system's Node (20 on a fresh machine), which
 * cannot run TypeScript itself: `scripts/typescript.mjs` registers Sucrase's type stripping there.
 * This runs the `start` script's exact command line on the first `node` on PATH outside any
 * node_modules (the machine's own) and calls a tool in both eras.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type ReadyProcess, spawnReady } from "@portico/test-kit/node";
import { afterAll, beforeAll, expect, it } from "vitest";

const PROJECT = fileURLToPath(new URL("..", import.meta.url));

/** The machine's own `node`: the first on PATH that no package installed. */
function systemNode(): string {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir.includes("node_modules")) continue;
    const candidate = join(dir, "node");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("no system `node` on PATH");
}

const node = systemNode();
const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
let server: ReadyProcess | undefined;
let endpoint: URL;

beforeAll(async () => {
  const { scripts } = JSON.parse(readFileSync(join(PROJECT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const [command, ...args] = (scripts.start as string).split(" ");
  expect(command).toBe("node");
  server = await spawnReady(node, args, /listening on (http:\/\/127\.0\.0\.1:\d+\/mcp)/, {
    cwd: PROJECT,
    env: { ...process.env, PORT: "0", NODE_OPTIONS: "" },
    timeoutMs: 30_000,
  });
  endpoint = new URL(server.match[1] as string);
}, 40_000);

afterAll(() => server?.stop());

it("starts on the system's Node and serves a legacy session and a modern call", async () => {
  // On a fresh machine this is Node 20, which has no type stripping: the hook did the work.
  expect(version).toMatch(/^v\d+\./);
  const client = new Client({ name: "system-node", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(endpoint);
  await client.connect(transport);
  try {
    const sum = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
    expect(sum.structuredContent).toEqual({ sum: 5 });
  } finally {
    await transport.terminateSession();
    await client.close();
  }
  const modern = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "add",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "add",
        arguments: { a: 4, b: 5 },
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "system-node", version: "1.0.0" },
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  });
  expect(modern.status).toBe(200);
  expect(await modern.json()).toMatchObject({ result: { structuredContent: { sum: 9 } } });
  // The MCP App's HTML, a generated TypeScript module loaded on the first read (through the type
  // stripping hook on Node 20): no esbuild, no file read at run time.
  const uri = "ui://portico-quickstart/sales-chart.html";
  const read = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "resources/read",
      "mcp-name": uri,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "resources/read",
      params: {
        uri,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  });
  expect(read.status).toBe(200);
  const { result } = (await read.json()) as { result: { contents: { mimeType: string; text: string }[] } };
  expect(result.contents[0]?.mimeType).toBe("text/html;profile=mcp-app");
  expect(result.contents[0]?.text).toContain("portico-sales-chart");
});
