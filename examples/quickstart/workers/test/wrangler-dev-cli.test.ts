/**
 * Plain `wrangler dev` — the command a user types, the real CLI, no Portico wrapper and no build
 * flags — serves both eras: the build conditions come from this folder's `.env` (wrangler reads
 * it for its own settings), loopback and the port from `wrangler.jsonc`'s `dev` block. The test
 * adds only what a parallel run needs: a free port (`--port 0`) and a temporary state folder.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Transport,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expectAddLine } from "@portico/example-quickstart/test-lines";
import { modernPost } from "@portico/test-kit";
import { type ReadyProcess, spawnReady } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const project = fileURLToPath(new URL("..", import.meta.url));

let dev: ReadyProcess | undefined;
let endpoint: URL;
let state = "";

function wranglerBin(): string {
  const manifest = createRequire(join(project, "package.json")).resolve("wrangler/package.json");
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
  return join(dirname(manifest), bin.wrangler as string);
}

beforeAll(async () => {
  state = mkdtempSync(join(tmpdir(), "portico-wrangler-dev-"));
  const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" };
  delete env.WRANGLER_BUILD_CONDITIONS;
  delete env.NODE_OPTIONS;
  dev = await spawnReady(
    process.execPath,
    [wranglerBin(), "dev", "--port", "0", "--persist-to", state],
    /Ready on http:\/\/127\.0\.0\.1:(\d+)/,
    { cwd: project, env, timeoutMs: 90_000 },
  );
  endpoint = new URL(`http://127.0.0.1:${dev.match[1]}/mcp`);
}, 120_000);

afterAll(async () => {
  await dev?.stop();
  rmSync(state, { recursive: true, force: true });
});

describe("plain `wrangler dev` in the Workers quickstart", () => {
  it("listens on 127.0.0.1 as wrangler.jsonc says, bundling the workspace sources with no build", () => {
    expect(dev?.output()).toMatch(/Ready on http:\/\/127\.0\.0\.1:\d+/);
    // Only the TypeScript sources exist for a fresh clone's packages: the `.env` conditions did it.
    expect(dev?.output()).not.toMatch(/Could not resolve/);
  });

  it("bundles the workspace packages from their TypeScript sources (`.env`), not from dist", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" };
    delete env.WRANGLER_BUILD_CONDITIONS;
    const out = join(state, "dry-run");
    const metafile = join(state, "meta.json");
    execFileSync(
      process.execPath,
      [wranglerBin(), "deploy", "--dry-run", "--outdir", out, "--metafile", metafile],
      {
        cwd: project,
        env,
        stdio: "ignore",
        timeout: 90_000,
      },
    );
    const inputs = Object.keys((JSON.parse(readFileSync(metafile, "utf8")) as { inputs: object }).inputs);
    expect(inputs).toContain("../../../packages/core/src/handler.ts");
    expect(inputs.filter((path) => /^(\.\.\/)+packages\/[^/]+\/dist\//.test(path))).toEqual([]);
  }, 100_000);

  it("legacy era (SDK v1): a session in the local Durable Object across requests", async () => {
    const client = new Client({ name: "wrangler-dev-legacy", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(endpoint);
    await client.connect(transport);
    try {
      expect(transport.sessionId).toBeTruthy();
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain("add");
      const sum = await client.callTool({ name: "add", arguments: { a: 20, b: 22 } });
      expect(sum.structuredContent).toEqual({ sum: 42 });
    } finally {
      await transport.terminateSession();
      await client.close();
    }
  });

  it("modern era (SDK v2, 2026-07-28): stateless tools/call", async () => {
    const client = new V2Client(
      { name: "wrangler-dev-modern", version: "1.0.0" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(new V2Transport(endpoint));
    try {
      const sum = await client.callTool({ name: "add", arguments: { a: 1, b: 2 } });
      expect(sum.structuredContent).toEqual({ sum: 3 });
    } finally {
      await client.close();
    }
  });

  it("writes one JSON line per request (@portico/observe), correlated by the request's CF-Ray", async () => {
    const ray = "8f0e1d2c3b4a5968-LHR";
    const call = await fetch(
      modernPost(
        endpoint,
        "tools/call",
        { name: "add", arguments: { a: 4, b: 5 } },
        {
          id: 7,
          headers: { "cf-ray": ray },
        },
      ),
    );
    expect(call.status).toBe(200);
    await call.text();
    // wrangler dev prints the Worker's console output as it comes: the line is JSON on a line of its own.
    expect(await expectAddLine(() => dev?.output() ?? "", ray)).toMatchObject({ jsonrpcId: 7 });
  });
});
