/**
 * `npm create portico`, as a user runs it: every publishable package packed (create-portico
 * included), the packed create-portico installed and run for every runtime into the system's temp
 * folder, each project's `@portico/*` ranges rewritten to `file:` specs of the tarballs (and the
 * same specs as npm `overrides`, so transitive ones such as `@portico/host` never come from the
 * registry), `npm install`ed from the one shared npm cache, then the project's own `npm test` and
 * `npm run build`, and a look at what the build made. Variants with other stores reuse the
 * node_modules of their runtime's project (a symlink): their dependencies are a subset.
 * Needs the packages built and the npm registry. `PORTICO_PACK_KEEP=1` keeps the projects.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Packed, packAll } from "../src/pack.ts";
import { npm, npmInstall, pnpm, useTarballs, useTarballsWithPnpm } from "../src/project.ts";
import { startRedis } from "../src/redis.ts";

const execFileAsync = promisify(execFile);

interface Project {
  label: string;
  runtime: string;
  stores?: string;
  /** The label of the project whose node_modules this one borrows. */
  borrows?: string;
}

/** Installed projects: each runtime with its default stores, and the Node server on Redis. */
const INSTALLED: Project[] = [
  { label: "node", runtime: "node" },
  { label: "node-redis", runtime: "node", stores: "redis" },
  { label: "lambda-sam", runtime: "lambda-sam" },
  { label: "lambda-cdk", runtime: "lambda-cdk" },
  { label: "vercel", runtime: "vercel" },
  { label: "workers", runtime: "workers" },
];
/** Made for pnpm (`--package-manager pnpm`), installed and run with the workspace's pnpm. */
const WITH_PNPM: Project = { label: "lambda-sam-pnpm", runtime: "lambda-sam" };
/** Memory-store variants, on their runtime's installed dependencies. */
const VARIANTS: Project[] = [
  { label: "lambda-sam-memory", runtime: "lambda-sam", stores: "memory", borrows: "lambda-sam" },
  { label: "lambda-cdk-memory", runtime: "lambda-cdk", stores: "memory", borrows: "lambda-cdk" },
  { label: "vercel-memory", runtime: "vercel", stores: "memory", borrows: "vercel" },
  { label: "workers-memory", runtime: "workers", stores: "memory", borrows: "workers" },
];

let base = "";
let packed: Packed[] = [];
let child: ChildProcess | undefined;
const started = performance.now();
/** Step → milliseconds, reported at the end. */
const timings: Record<string, number> = {};
/** Each project's package.json as create-portico wrote it (before pointing it at the tarballs). */
const generated: Record<string, { dependencies: Record<string, string>; scripts: Record<string, string> }> =
  {};

const dirOf = (label: string) => join(base, label);
/** Tools' home folders inside the temp folder, so nothing is written to the user's. */
const env = () => ({ XDG_CONFIG_HOME: join(base, ".config"), XDG_DATA_HOME: join(base, ".data") });

async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const at = performance.now();
  try {
    return await work();
  } finally {
    timings[step] = Math.round(performance.now() - at);
  }
}

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await work(next);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "portico-create-"));
  mkdirSync(join(base, "tarballs"));
  packed = await timed("pack", () => packAll(join(base, "tarballs"), new Set(["test-kit"])));
  const generator = packed.find((p) => p.name === "create-portico");
  if (generator === undefined) throw new Error("create-portico was not packed");

  // The generator as `npm create portico` gets it: the package from its tarball, run by its bin.
  const runner = join(base, "runner");
  mkdirSync(runner);
  writeFileSync(join(runner, "package.json"), '{ "private": true }\n');
  await timed("install create-portico", () =>
    npm(runner, ["install", "--prefer-offline", "--no-audit", "--no-fund", generator.tarball]),
  );
  const bin = join(runner, "node_modules", ".bin", "create-portico");
  for (const project of [...INSTALLED, ...VARIANTS, WITH_PNPM]) {
    const args = [dirOf(project.label), "--runtime", project.runtime, "--name", project.label, "--yes"];
    if (project.stores) args.push("--stores", project.stores);
    if (project === WITH_PNPM) args.push("--package-manager", "pnpm");
    await execFileAsync(bin, args, { cwd: base, env: { ...process.env, ...env() } });
    generated[project.label] = JSON.parse(readFileSync(join(dirOf(project.label), "package.json"), "utf8"));
  }

  await timed("install (all)", () =>
    Promise.all([
      inParallel(INSTALLED, 2, async (project) => {
        useTarballs(dirOf(project.label), packed);
        await timed(`${project.label}: npm install`, () => npmInstall(dirOf(project.label), env()));
      }),
      timed(`${WITH_PNPM.label}: pnpm install`, () => {
        useTarballsWithPnpm(dirOf(WITH_PNPM.label), packed);
        // pnpm's own store, as everywhere on this machine (XDG_DATA_HOME left alone).
        return pnpm(dirOf(WITH_PNPM.label), ["install"], { env: { XDG_CONFIG_HOME: join(base, ".config") } });
      }),
    ]),
  );
  for (const project of VARIANTS) {
    symlinkSync(
      join(dirOf(project.borrows as string), "node_modules"),
      join(dirOf(project.label), "node_modules"),
    );
  }
}, 900_000);

afterAll(() => {
  child?.kill("SIGTERM");
  if (base !== "" && process.env.PORTICO_PACK_KEEP !== "1") {
    const at = performance.now();
    rmSync(base, { recursive: true, force: true });
    timings["remove the temp folder"] = Math.round(performance.now() - at);
  }
  timings.total = Math.round(performance.now() - started);
  console.log(
    `create-portico test timings (ms):\n${Object.entries(timings)
      .map(([step, ms]) => `  ${step}: ${ms}`)
      .join("\n")}`,
  );
}, 180_000); // several node_modules, one with the Vercel CLI: removing them takes a while

/** `npm run <script>` in a project, timed. */
const script = (label: string, name: string, extra: Record<string, string> = {}) =>
  timed(`${label}: npm run ${name}`, () =>
    npm(dirOf(label), name === "test" ? ["test"] : ["run", name], { env: { ...env(), ...extra } }),
  );

/** Runs `code` (an ES module) with node inside a project, so it resolves the project's packages. */
async function nodeIn(label: string, code: string, args: string[] = []): Promise<string> {
  const file = join(dirOf(label), "check.mjs");
  writeFileSync(file, code);
  const { stdout } = await execFileAsync(process.execPath, [file, ...args], {
    cwd: dirOf(label),
    timeout: 60_000,
  });
  return stdout;
}

/** Invokes a built `dist/handler.mjs` with a Function URL event: both exports, tools/call of add. */
const INVOKE_BUNDLE = `
import { installAwslambda } from "@portico/adapter-lambda/dev";
import { fromResult, toEvent } from "@portico/adapter-lambda";
installAwslambda();
const { handler, streamHandler } = await import("./dist/handler.mjs");
const request = new Request("https://abc123.lambda-url.eu-west-1.on.aws/mcp", {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "add" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 20, b: 22 },
    _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
});
const response = fromResult(await handler(await toEvent(request, "v2"), { awsRequestId: "r", getRemainingTimeInMillis: () => 30000 }));
console.log(JSON.stringify({ status: response.status, text: await response.text(), streaming: typeof streamHandler }));
`;

/**
 * What a check script printed: its answer (the line with a `status`) and the app's JSON log lines
 * (one per request, from @portico/observe, bundled with the app).
 */
function printed<A>(stdout: string): { answer: A; logs: Record<string, unknown>[] } {
  const lines = stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const answer = lines.find((line) => "status" in line) as A | undefined;
  if (answer === undefined) throw new Error(`no answer printed:\n${stdout}`);
  return { answer, logs: lines.filter((line) => !("status" in line)) };
}

async function invokeBundle(label: string): Promise<void> {
  const { answer, logs } = printed<{ status: number; text: string; streaming: string }>(
    await nodeIn(label, INVOKE_BUNDLE),
  );
  expect(answer.status, answer.text).toBe(200);
  expect(answer.text).toContain('"text":"42"');
  expect(answer.streaming).toBe("function");
  // The bundle logs the call (its awsRequestId) and meters it (an EMF document).
  expect(logs.find((line) => line.msg === "mcp request")).toMatchObject({
    target: "add",
    hostRequestId: "r",
  });
  expect(logs.find((line) => "_aws" in line)).toMatchObject({ Target: "add", Requests: 1 });
}

describe("projects made by the packed create-portico", () => {
  it("depend on the published @portico/* versions, with no workspace paths or source condition", () => {
    const version = packed.find((p) => p.name === "@portico/core")?.version;
    for (const [label, manifest] of Object.entries(generated)) {
      const portico = Object.entries(manifest.dependencies).filter(([name]) => name.startsWith("@portico/"));
      expect(portico.length, label).toBeGreaterThan(1);
      for (const [name, range] of portico) expect(range, `${label} ${name}`).toBe(`^${version}`);
      for (const file of readdirSync(dirOf(label), { recursive: true, encoding: "utf8" })) {
        if (file.startsWith("node_modules")) continue;
        const path = join(dirOf(label), file);
        if (!existsSync(path) || !/\.(ts|json|jsonc|yaml|md)$/.test(file)) continue;
        const text = readFileSync(path, "utf8");
        expect(text, `${label}/${file}`).not.toContain("@portico/source");
        expect(text, `${label}/${file}`).not.toContain("workspace:");
      }
    }
  });

  it("node: npm test, npm run build, and the built server answers a tool call", async () => {
    await script("node", "test");
    await script("node", "build");
    child = spawn(process.execPath, ["dist/server.js"], {
      cwd: dirOf("node"),
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child?.stdout?.on("data", (chunk: Buffer) => {
        out += chunk;
        const found = /listening on (\S+)/.exec(out)?.[1];
        if (found) resolve(found);
      });
      child?.once("exit", (code) => reject(new Error(`dist/server.js exited with ${code}`)));
    });
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
      }),
    });
    expect(response.status).toBe(200);
    expect(
      ((await response.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name,
    ).toBe("node");
    child.kill("SIGTERM");
  }, 180_000);

  it("node with Redis stores: npm test and npm run build (REDIS_URL unset: memory)", async () => {
    await script("node-redis", "test");
    await script("node-redis", "build");
    expect(existsSync(join(dirOf("node-redis"), "dist", "stores.js"))).toBe(true);
  }, 180_000);

  it("node with Redis stores: two built servers on one real redis-server serve one legacy session", async () => {
    const redis = await startRedis();
    const servers: ChildProcess[] = [];
    try {
      const start = () =>
        new Promise<string>((resolve, reject) => {
          const server = spawn(process.execPath, ["dist/server.js"], {
            cwd: dirOf("node-redis"),
            env: { ...process.env, PORT: "0", REDIS_URL: redis.url },
            stdio: ["ignore", "pipe", "pipe"],
          });
          servers.push(server);
          let out = "";
          const onData = (chunk: Buffer) => {
            out += chunk;
            const found = /listening on (\S+)/.exec(out)?.[1];
            if (found) resolve(found);
          };
          server.stdout?.on("data", onData);
          server.stderr?.on("data", onData);
          server.once("exit", (code) => reject(new Error(`dist/server.js exited with ${code}: ${out}`)));
        });
      const [first, second] = await Promise.all([start(), start()]);
      const post = (url: string, body: object, session?: string) =>
        fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2025-11-25",
            ...(session === undefined ? {} : { "mcp-session-id": session }),
          },
          body: JSON.stringify({ jsonrpc: "2.0", ...body }),
        });
      const init = await post(first as string, {
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
      });
      expect(init.status).toBe(200);
      const session = init.headers.get("mcp-session-id") as string;
      expect(session).toBeTruthy();
      await init.body?.cancel();
      const initialized = await post(second as string, { method: "notifications/initialized" }, session);
      expect(initialized.status).toBe(202);
      // The session was opened by the first process; the second finds it in Redis.
      const listed = await post(second as string, { id: 2, method: "tools/list" }, session);
      expect(listed.status).toBe(200);
      const text = await listed.text();
      expect(text).toContain('"tools"');
      expect(text).not.toContain("Session not found");
    } finally {
      for (const server of servers) server.kill("SIGTERM");
      await redis.stop();
    }
  }, 120_000);

  it("lambda-sam: npm test, npm run build (esbuild bundle), the bundle answers a Function URL event", async () => {
    await script("lambda-sam", "test");
    await script("lambda-sam", "build");
    await invokeBundle("lambda-sam");
    const template = readFileSync(join(dirOf("lambda-sam"), "template.yaml"), "utf8");
    for (const line of ["CodeUri: dist/", "Handler: handler.streamHandler", "InvokeMode: RESPONSE_STREAM"]) {
      expect(template).toContain(line);
    }
  }, 180_000);

  it("lambda-cdk: npm test, npm run build (bundle and synth), the stack streams through a Function URL", async () => {
    await script("lambda-cdk", "test");
    await script("lambda-cdk", "build");
    await invokeBundle("lambda-cdk");
    const out = join(dirOf("lambda-cdk"), "cdk.out");
    const template = JSON.parse(readFileSync(join(out, "lambda-cdk.template.json"), "utf8")) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const ofType = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type);
    expect(ofType("AWS::Lambda::Function")[0]?.Properties).toMatchObject({
      Handler: "handler.streamHandler",
      Runtime: "nodejs24.x",
      Architectures: ["arm64"],
    });
    expect(ofType("AWS::Lambda::Url")[0]?.Properties).toMatchObject({ InvokeMode: "RESPONSE_STREAM" });
    expect(ofType("AWS::DynamoDB::Table")[0]?.Properties).toMatchObject({
      TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
    });
    const asset = readdirSync(out).find((entry) => entry.startsWith("asset."));
    expect(readdirSync(join(out, asset as string))).toEqual(["handler.mjs"]);
  }, 180_000);

  it("vercel: npm test, npm run build (offline vercel build), and the built function answers", async () => {
    await script("vercel", "test");
    // What `vercel pull` writes; with `settings` the CLI builds offline.
    mkdirSync(join(dirOf("vercel"), ".vercel"));
    const settings = { framework: null, devCommand: null, installCommand: null, buildCommand: null };
    writeFileSync(
      join(dirOf("vercel"), ".vercel", "project.json"),
      JSON.stringify({ projectId: "prj_create", orgId: "team_create", settings }),
    );
    await script("vercel", "build", { VERCEL_INSTALL_COMPLETED: "1" });
    const func = join(dirOf("vercel"), ".vercel", "output", "functions", "api", "mcp.func");
    const config = JSON.parse(readFileSync(join(func, ".vc-config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ maxDuration: 60, supportsCancellation: true, launcherType: "Nodejs" });
    const call = `
process.env.REQUEST_STATE_SECRET = "a-test-secret-of-at-least-thirty-two-chars";
const { POST } = await import(process.argv[2]);
const response = await POST(new Request("http://localhost/mcp", {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "greet" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "greet", arguments: { name: "Ada" },
    _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
}));
console.log(JSON.stringify({ status: response.status, text: await response.text() }));`;
    const { answer, logs } = printed<{ status: number; text: string }>(
      await nodeIn("vercel", call, [join(func, config.handler as string)]),
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.text).toContain("Hello, Ada!");
    expect(logs.find((line) => line.msg === "mcp request")).toMatchObject({ target: "greet", outcome: "ok" });
    const routes = readFileSync(join(dirOf("vercel"), ".vercel", "output", "config.json"), "utf8");
    expect(routes).toContain("/api/mcp");
  }, 180_000);

  it("workers: npm test (tools and the Worker under wrangler dev), npm run build (wrangler deploy --dry-run)", async () => {
    await script("workers", "test");
    await script("workers", "build");
    const bundle = readFileSync(join(dirOf("workers"), "dist", "index.js"), "utf8");
    expect(bundle).toMatch(/export\s*\{[^}]*\bPorticoSessionObject\b/);
  }, 180_000);

  it("lambda-sam made for pnpm: pnpm install (install scripts allowed), pnpm test, pnpm run build", async () => {
    const dir = dirOf(WITH_PNPM.label);
    expect(readFileSync(join(dir, "README.md"), "utf8")).toContain("pnpm run dev");
    expect(generated[WITH_PNPM.label]?.scripts.deploy).toBe("pnpm run build && sam deploy --guided");
    await timed(`${WITH_PNPM.label}: pnpm test`, () => pnpm(dir, ["test"]));
    await timed(`${WITH_PNPM.label}: pnpm run build`, () => pnpm(dir, ["run", "build"]));
    await invokeBundle(WITH_PNPM.label);
  }, 180_000);

  it.each(VARIANTS)(
    "$label: npm test and npm run typecheck",
    async ({ label }) => {
      await script(label, "test");
      await script(label, "typecheck");
      expect(generated[label]?.dependencies).not.toHaveProperty("@portico/store-dynamodb");
    },
    180_000,
  );
});
