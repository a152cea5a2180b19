/**
 * Pack and install, as a user outside the repository gets Portico: every publishable package is
 * packed by `pnpm pack` (workspace ranges become real ones, `publishConfig.exports` replaces the
 * workspace-only source condition), the tarballs are installed with npm into a fresh project in
 * the system's temp folder (dependencies from the registry), and that project then type-checks
 * strict under `nodenext` and `bundler` resolution, bundles its Lambda entry with esbuild and
 * answers a tools/call through every Lambda front door (also as CommonJS with the V8 code cache of
 * the installed `portico-lambda-cache`), and serves the same tools with the Node
 * adapter. Needs the packages built (`pnpm run build`, which `npm test` runs first) and the npm
 * registry.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fileSpecs, packAll, ROOT, workspaceBin, workspaceVersion } from "../src/pack.ts";

const FIXTURE = fileURLToPath(new URL("../fixture", import.meta.url));
/**
 * Packages a user installs to serve tools: test-kit is a dev tool with vitest as its peer, and
 * create-portico a project generator (run by test/create-portico.test.ts).
 */
const SKIP = new Set(["test-kit", "create-portico"]);

/** Timeout of the steps that run tsc or a CLI: minutes, not seconds, on a busy 2-core machine. */
const SLOW = 120_000;

let project = "";
let child: ChildProcess | undefined;

const run = (file: string, args: string[], timeout = 120_000, env: Record<string, string> = {}) =>
  execFileSync(file, args, {
    cwd: project,
    encoding: "utf8",
    timeout,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "portico-pack-"));
  const tarballs = join(project, "tarballs");
  mkdirSync(tarballs);
  const dependencies = fileSpecs(await packAll(tarballs, SKIP));
  cpSync(FIXTURE, project, { recursive: true });
  writeFileSync(
    join(project, "package.json"),
    `${JSON.stringify(
      {
        name: "packed-project",
        private: true,
        type: "module",
        dependencies: { ...dependencies, valibot: `^${workspaceVersion("valibot")}` },
        devDependencies: {
          typescript: workspaceVersion("typescript"),
          esbuild: workspaceVersion("esbuild"),
          "@types/node": "^24.0.0",
        },
        // Every @portico/* range resolves to its tarball, never to the registry.
        overrides: dependencies,
      },
      null,
      2,
    )}\n`,
  );
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], 300_000);
}, 400_000);

afterAll(() => {
  child?.kill("SIGTERM");
  // PORTICO_PACK_KEEP=1 keeps the project to look into.
  if (project !== "" && process.env.PORTICO_PACK_KEEP !== "1")
    rmSync(project, { recursive: true, force: true });
});

describe("the packed packages, installed from their tarballs into a fresh project", { timeout: SLOW }, () => {
  it("have manifests in their published shape (scripts/manifests.mjs --check)", () => {
    execFileSync(process.execPath, [join(ROOT, "scripts", "manifests.mjs"), "--check"], { stdio: "pipe" });
  });

  it("ship no reference to files they do not contain, and real dependency ranges", () => {
    for (const dir of readdirSync(join(project, "node_modules", "@portico"))) {
      const text = readFileSync(join(project, "node_modules", "@portico", dir, "package.json"), "utf8");
      expect(text, dir).not.toContain("@portico/source");
      expect(text, dir).not.toContain("workspace:");
      expect(JSON.parse(text).license, dir).toBe("MIT");
      expect(readdirSync(join(project, "node_modules", "@portico", dir)), dir).toContain("LICENSE");
    }
  });

  it("type-check strict with nodenext and bundler resolution (tool arguments inferred)", () => {
    const tsc = join(project, "node_modules", ".bin", "tsc");
    for (const config of ["tsconfig.nodenext.json", "tsconfig.bundler.json"]) {
      try {
        run(tsc, ["-p", config, "--noEmit"]);
      } catch (error) {
        throw new Error(`${config}: ${(error as { stdout?: string }).stdout ?? String(error)}`);
      }
    }
  });

  it("bundle for Lambda with esbuild and answer tools/call through API Gateway v1, v2 and ALB, observed", () => {
    const esbuild = join(project, "node_modules", ".bin", "esbuild");
    run(esbuild, [
      "src/lambda.ts",
      "--bundle",
      "--platform=node",
      "--format=esm",
      "--minify",
      "--outfile=dist/lambda.mjs",
    ]);
    const answers = JSON.parse(run("node", ["invoke.mjs", "./dist/lambda.mjs"]).trim()) as Record<
      string,
      { status: number; text: string }
    > & { logged: Record<string, unknown>[] };
    for (const kind of ["v1", "v2", "alb"]) {
      expect(answers[kind]?.status, `${kind}: ${answers[kind]?.text}`).toBe(200);
      expect(answers[kind]?.text).toContain('"text":"5"');
    }
    // @portico/observe, from its tarball, logged each invocation with its awsRequestId.
    expect(answers.logged.map((l) => [l.hostRequestId, l.target, l.outcome, l.service])).toStrictEqual([
      ["v1", "add", "ok", "packed"],
      ["v2", "add", "ok", "packed"],
      ["alb", "add", "ok", "packed"],
    ]);
  });

  it("bundle for Lambda as CommonJS and load it with a V8 code cache by the installed portico-lambda-cache", () => {
    run(join(project, "node_modules", ".bin", "esbuild"), [
      "src/lambda.ts",
      "--bundle",
      "--platform=node",
      "--format=cjs",
      "--minify",
      "--outfile=dist-cjs/app.cjs",
    ]);
    const said = run(join(project, "node_modules", ".bin", "portico-lambda-cache"), ["dist-cjs/app.cjs"]);
    expect(said).toContain("app.cjs.v8cache: ");
    expect(said).toContain('index.mjs: the Lambda entry (handler "index.handler")');
    // As the Lambda runtime starts node.
    const answers = JSON.parse(
      run("node", ["--expose-gc", "invoke.mjs", "./dist-cjs/index.mjs"]).trim(),
    ) as Record<string, { status: number; text: string }> & { codeCache: string };
    expect(answers.codeCache).toBe("accepted");
    for (const kind of ["v1", "v2", "alb"]) {
      expect(answers[kind]?.status, `${kind}: ${answers[kind]?.text}`).toBe(200);
      expect(answers[kind]?.text).toContain('"text":"5"');
    }
  });

  it("serve with the Node adapter after a nodenext build, for a real client request", async () => {
    run(join(project, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.nodenext.json"]);
    child = spawn("node", ["dist/node.js"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      let err = "";
      child?.stdout?.on("data", (chunk: Buffer) => {
        out += chunk;
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve((JSON.parse(line) as { url: string }).url);
      });
      child?.stderr?.on("data", (chunk: Buffer) => {
        err += chunk;
      });
      child?.once("exit", (code) => reject(new Error(`node dist/node.js exited ${code}: ${err}`)));
    });
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toMatch(/^[\w-]+$/);
    expect(
      ((await response.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name,
    ).toBe("packed");
  });

  it("bundle as a Worker with `wrangler deploy --dry-run` (Durable Object stores included)", () => {
    // The workspace's wrangler, run on the fresh project: the tarballs are what is under test.
    const wrangler = workspaceBin("packages/adapter-workers", "wrangler", "wrangler");
    run(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", "dist-worker"], 120_000, {
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      XDG_CONFIG_HOME: join(project, ".config"),
    });
    const script = readFileSync(join(project, "dist-worker", "index.js"), "utf8");
    expect(script).toContain("PorticoSessionObject");
    expect(script).not.toContain("@portico/source");
  });

  it("build for Vercel with `vercel build` (offline), and the built function answers tools/call", () => {
    mkdirSync(join(project, ".vercel"), { recursive: true });
    const settings = { framework: null, devCommand: null, installCommand: null, buildCommand: null };
    writeFileSync(
      join(project, ".vercel", "project.json"),
      JSON.stringify({ projectId: "prj_packed", orgId: "team_packed", settings }),
    );
    const vercel = workspaceBin("examples/quickstart/vercel", "vercel", "vercel");
    const out = join(project, "vercel-out");
    run(process.execPath, [vercel, "build", "--yes", "--standalone", "--output", out], 180_000, {
      VERCEL_INSTALL_COMPLETED: "1",
      VERCEL_TELEMETRY_DISABLED: "1",
    });
    const func = join(out, "functions", "api", "mcp.func");
    const config = JSON.parse(readFileSync(join(func, ".vc-config.json"), "utf8")) as { handler: string };
    expect(existsSync(join(func, config.handler))).toBe(true);
    const call = `
const { POST } = await import(process.argv[1]);
const response = await POST(new Request("http://127.0.0.1/api/mcp", {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "add" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 20, b: 22 },
    _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
}));
console.log(JSON.stringify({ status: response.status, text: await response.text() }));`;
    const answer = JSON.parse(
      run(process.execPath, ["--input-type=module", "-e", call, join(func, config.handler)]).trim(),
    ) as { status: number; text: string };
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toContain('"text":"42"');
  });
});
