/**
 * The example under a plain `vercel dev --local --listen 127.0.0.1:<port>`, as a user runs it: no
 * Portico wrapper, none of its environment (no stores URL, no secret, no source conditions: the
 * workspace packages load from their `dist/`, as installed ones do). Every request runs in a fresh
 * function process; the adapter's dev daemon (`vercelDevDefaults` in src/app.ts) is what lets both
 * eras work. Called from e2e.test.ts, whose suites run one after the other (vercel dev --local
 * refuses to start while the build suite's .vercel/project.json exists).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
} from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectDir } from "./_vercel-dev.ts";

const workspace = join(projectDir, "..", "..", "..");
/** What the function imports through `dist/` (skipped before `pnpm build`, like the build test). */
const built = ["core", "host", "auth", "observe", "store-redis", "adapter-vercel"].every((name) =>
  existsSync(join(workspace, "packages", name, "dist", "index.js")),
);
const daemonFile = join(projectDir, ".vercel", "portico-dev.json");

interface DaemonFile {
  pid: number;
  url: string;
  token: string;
  ownerPid: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Signal 0 answers for a zombie too: on Linux, look at its state as well. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return true;
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  return condition();
}

/** The user's shell, minus anything Portico's wrappers would add. */
function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(PORTICO_|REQUEST_STATE_SECRET$|NODE_OPTIONS$|UPSTASH_|KV_REST_|OAUTH_|MCP_RESOURCE$)/.test(name)) {
      delete env[name];
    }
  }
  env.VERCEL_TELEMETRY_DISABLED = "1";
  // Node's compile cache only speeds up the fresh process per request.
  env.NODE_COMPILE_CACHE ??= join(tmpdir(), "portico-vercel-dev-compile-cache");
  return env;
}

export function describePlainVercelDev(): void {
  describe.skipIf(!built)("plain `vercel dev --local --listen` (no wrapper, after `pnpm build`)", () => {
    let cli: ChildProcess;
    let output = "";
    let endpoint: URL;

    beforeAll(async () => {
      expect(existsSync(daemonFile), "a dev daemon of another run is still up").toBe(false);
      const port = await freePort();
      const manifest = createRequire(join(projectDir, "package.json")).resolve("vercel/package.json");
      const bin = (JSON.parse(readFileSync(manifest, "utf8")) as { bin: { vercel: string } }).bin.vercel;
      // Its queue, schedules and cache helpers on free ports too, in case another vercel dev runs.
      const args = ["dev", "--local", "--listen", `127.0.0.1:${port}`];
      args.push("--queue-port", "0", "--schedules-port", "0", "--runtime-cache-port", "0");
      cli = spawn(process.execPath, [join(dirname(manifest), bin), ...args], {
        cwd: projectDir,
        env: plainEnv(),
        detached: true, // its own process group: the CLI and its function processes
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (chunk: Buffer) => {
        output += chunk.toString("utf8");
      };
      cli.stdout?.on("data", collect);
      cli.stderr?.on("data", collect);
      const ready = await until(() => /Ready! Available at/.test(output) || cli.exitCode !== null, 60_000);
      if (!ready || cli.exitCode !== null) throw new Error(`vercel dev did not start:\n${output}`);
      endpoint = new URL(`http://127.0.0.1:${port}/mcp`);
    }, 90_000);

    afterAll(async () => {
      // The group (as Ctrl-C would), then anything left of it; the daemon, if the test failed early.
      const exited = () => cli.exitCode !== null || cli.signalCode !== null;
      if (cli?.pid !== undefined && !exited()) {
        try {
          process.kill(-cli.pid, "SIGTERM");
          await until(exited, 5_000);
          process.kill(-cli.pid, "SIGKILL");
        } catch {}
      }
      if (existsSync(daemonFile)) {
        const { pid } = JSON.parse(readFileSync(daemonFile, "utf8")) as DaemonFile;
        if (running(pid)) process.kill(pid, "SIGTERM");
      }
    }, 20_000);

    it("legacy era (SDK v1): initialize, list and call tools, an elicitation, across fresh processes", async () => {
      const client = new LegacyClient(
        { name: "plain-vercel-dev-legacy", version: "1.0.0" },
        { capabilities: { elicitation: {} } },
      );
      client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { name: "Ada" } }));
      const transport = new LegacyTransport(endpoint);
      await client.connect(transport);
      try {
        expect(transport.sessionId).toMatch(/.+/);
        // Each of these lands in a new function process, which finds the session in the daemon.
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(["add", "countdown", "greet"]));
        expect(
          (await client.callTool({ name: "add", arguments: { a: 2, b: 40 } })).structuredContent,
        ).toEqual({
          sum: 42,
        });
        expect((await client.callTool({ name: "add", arguments: { a: 1, b: 1 } })).structuredContent).toEqual(
          {
            sum: 2,
          },
        );
        const greeting = await client.callTool({ name: "greet", arguments: {} });
        expect(greeting.content).toEqual([{ type: "text", text: "Hello, Ada!" }]);
      } finally {
        await transport.terminateSession().catch(() => {});
        await client.close();
      }
    }, 90_000);

    it("modern era (SDK v2, 2026-07-28): greet's input_required round trip in a second process", async () => {
      const client = new ModernClient(
        { name: "plain-vercel-dev-modern", version: "1.0.0" },
        { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
      );
      client.setRequestHandler("elicitation/create", () => ({ action: "accept", content: { name: "Bo" } }));
      await client.connect(new ModernTransport(endpoint));
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
        const result = await client.callTool({ name: "greet", arguments: {} });
        expect(result.content).toEqual([{ type: "text", text: "Hello, Bo!" }]);
      } finally {
        await client.close();
      }
    }, 60_000);

    it("the dev daemon: refuses a request without its token (401), and ends with vercel dev", async () => {
      const daemon = JSON.parse(readFileSync(daemonFile, "utf8")) as DaemonFile;
      expect(daemon.ownerPid).toBe(cli.pid);
      const call = (headers: Record<string, string>) =>
        fetch(`${daemon.url}/call`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ store: "sessions", op: "get", args: [{ kind: "session", session: "x" }] }),
        });
      expect((await call({})).status).toBe(401);
      expect((await call({ authorization: `Bearer ${daemon.token}` })).status).toBe(200);

      // Stop vercel dev as Ctrl-C does (SIGTERM to its process group; the daemon has a group of
      // its own, so this does not reach it): the daemon sees its owner gone and exits.
      process.kill(-(cli.pid as number), "SIGTERM");
      expect(await until(() => cli.exitCode !== null || cli.signalCode !== null, 10_000)).toBe(true);
      expect(await until(() => !running(daemon.pid), 10_000)).toBe(true);
      expect(existsSync(daemonFile)).toBe(false);
      await expect(call({ authorization: `Bearer ${daemon.token}` })).rejects.toThrow();
    }, 30_000);
  });
}
