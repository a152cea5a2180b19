/** The Node.js server project: `src/server.ts` on `@portico/adapter-node`, memory or Redis stores. */
import type { ProjectOptions } from "../options.ts";
import {
  dlx,
  gitignore,
  logsReadme,
  mcpTestHelper,
  NODE_MINIMUM,
  type ProjectFiles,
  packageJson,
  runScript,
  toolsModule,
  toolsReadme,
  tsconfig,
} from "./common.ts";

function appModule(options: ProjectOptions): string {
  const redis = options.stores === "redis";
  return `/**
 * The fetch app the server runs: the MCP endpoint at \`/mcp\`, 404 elsewhere. Configuration comes
 * from the environment (see README.md).
 */
import { createHandler, type ExecutionContextLike, type HandlerOptions, type McpHandler } from "@portico/core";
import { observe, parseLevel } from "@portico/observe";
import { createServer } from "./tools.ts";

export const MCP_PATH = "/mcp";

/** Comma-separated entries of an environment variable. */
export function listFrom(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

export interface App {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
  /** This router reads only the URL: the adapter may hand it buffered requests (faster). */
  readonly acceptsBufferedRequests: true;
  close(): Promise<void>;
}

/**
 * The app for \`env\`: \`ALLOWED_HOSTS\` (the host names clients reach this server by, besides
 * localhost), \`ALLOWED_ORIGINS\` (browser origins besides same-origin and localhost) and
 * \`REQUEST_STATE_SECRET\` (seals the 2026-07-28 era's requestState; the same value on every
 * instance${redis ? "" : ", else each process draws its own"}) and \`LOG_LEVEL\` (\`debug\`, \`info\` by
 * default, \`warn\`, \`error\` or \`silent\`).
 */
export function createApp(env: Readonly<Record<string, string | undefined>>, extra: HandlerOptions = {}): App {
  // One JSON line per request on stdout, errors with their stack (@portico/observe).
  const ops = observe({ service: ${JSON.stringify(options.name)}, level: parseLevel(env.LOG_LEVEL) });
  const server = createServer();
  server.use(ops); // first: it sees every request
  const options: HandlerOptions = {
    ...extra,
    allowedHosts: listFrom(env.ALLOWED_HOSTS),
    allowedOrigins: listFrom(env.ALLOWED_ORIGINS),
    onError: ops.onError,
  };
  if (extra.stores) options.stores = ops.stores(extra.stores); // their calls timed too
  if (env.REQUEST_STATE_SECRET) options.secret = env.REQUEST_STATE_SECRET;
  const mcp: McpHandler = createHandler(server, options);
  return {
    acceptsBufferedRequests: true,
    // env and ctx pass through: the adapter's shutdown signal ends long-lived streams with a retry hint.
    fetch(request, env, ctx) {
      if (new URL(request.url).pathname === MCP_PATH) return mcp.fetch(request, env, ctx);
      return Promise.resolve(Response.json({ error: \`Not found: the MCP endpoint is \${MCP_PATH}\` }, { status: 404 }));
    },
    async close() {
      await mcp.close();
    },
  };
}
`;
}

function storesModule(): string {
  return `/**
 * Where legacy-era sessions, event logs and the bus live: Redis when \`REDIS_URL\` is set (then any
 * number of server processes share every session), else the in-memory default (one process).
 */
import type { Stores } from "@portico/core";
import { redisStores } from "@portico/store-redis";
import { createClient } from "redis";

export interface OpenStores {
  stores?: Stores;
  close(): Promise<void>;
}

export async function openStores(env: Readonly<Record<string, string | undefined>>): Promise<OpenStores> {
  if (!env.REDIS_URL) return { close: async () => {} };
  const client = await createClient({ url: env.REDIS_URL })
    .on("error", (error: Error) => console.error(\`redis: \${error.message}\`))
    .connect();
  const stores = redisStores({ client });
  return {
    stores,
    async close() {
      await stores.close?.();
      client.destroy();
    },
  };
}
`;
}

function serverModule(options: ProjectOptions): string {
  const redis = options.stores === "redis";
  return `/**
 * The server: \`npm run dev\` (reloads on changes) or \`npm start\` (after \`npm run build\`).
 * Listens on \`HOST\` (default 127.0.0.1, this machine only) and \`PORT\` (default 3000; 0 picks a
 * free one), prints the MCP endpoint, and stops gracefully on SIGINT/SIGTERM.
 */
import { serve } from "@portico/adapter-node";
import { createApp } from "./app.ts";
${redis ? 'import { openStores } from "./stores.ts";\n' : ""}
try {
${redis ? "  const opened = await openStores(process.env);\n" : ""}  const app = createApp(process.env${redis ? ", opened.stores ? { stores: opened.stores } : {}" : ""});
  // The port comes from PORT (default 3000). On SIGINT/SIGTERM open streams end with a retry hint,
  // in-flight calls finish, then onClose runs; a second signal stops at once.
  const server = await serve(app, {
    hostname: process.env.HOST ?? "127.0.0.1",
    handleSignals: true,
    onClose: async () => {
      await app.close();${redis ? "\n      await opened.close();" : ""}
    },
  });
  console.log(\`MCP server listening on \${server.url}/mcp\`);
} catch (error) {
  // A busy port, a bad PORT${redis ? ", an unreachable Redis" : ""}: one line saying what went wrong.
  console.error(\`${options.name}: \${(error as Error).message}\`);
  process.exit(1);
}
`;
}

function serverTest(): string {
  return `/** The real entry (\`src/server.ts\`) in its own process, on a free port, answering tool calls. */
import { type ChildProcess, spawn } from "node:child_process";
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { toolCall, toolText } from "./_mcp.ts";

let child: ChildProcess | undefined;
let endpoint = "";
/** What the server printed: its address, then one JSON line per request. */
let out = "";

before(async () => {
  child = spawn(process.execPath, ["src/server.ts"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  endpoint = await new Promise<string>((resolve, reject) => {
    child?.stdout?.on("data", (chunk: Buffer) => {
      out += chunk;
      const url = /listening on (\\S+)/.exec(out)?.[1];
      if (url) resolve(url);
    });
    child?.once("exit", (code) => reject(new Error(\`src/server.ts exited with \${code}\`)));
  });
});

after(() => {
  child?.kill("SIGTERM");
});

test("add answers the sum", async () => {
  assert.equal(await toolText(await fetch(toolCall(endpoint, "add", { a: 2, b: 3 }))), "5");
});

test("greet answers a greeting", async () => {
  assert.equal(await toolText(await fetch(toolCall(endpoint, "greet", { name: "Ada" }))), "Hello, Ada!");
});

test("a path other than /mcp is a 404", async () => {
  const response = await fetch(new URL("/elsewhere", endpoint));
  assert.equal(response.status, 404);
});

test("logs each request as one JSON line, with the caller's X-Request-Id", async () => {
  const call = toolCall(endpoint, "add", { a: 1, b: 1 });
  call.headers.set("x-request-id", "test-request-1");
  assert.equal(await toolText(await fetch(call)), "2");
  const line = async () => {
    for (let i = 0; i < 50; i++) {
      const found = out
        .split("\\n")
        .filter((text) => text.startsWith("{"))
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .find((record) => record.hostRequestId === "test-request-1");
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  };
  const record = await line();
  assert.equal(record?.msg, "mcp request");
  assert.equal(record?.method, "tools/call");
  assert.equal(record?.target, "add");
  assert.equal(record?.outcome, "ok");
});
`;
}

function readme(options: ProjectOptions): string {
  const pm = options.packageManager;
  const redis = options.stores === "redis";
  return `# ${options.name}

An [MCP](https://modelcontextprotocol.io) server built with [Portico](https://www.npmjs.com/package/@portico/core),
served by Node.js through [\`@portico/adapter-node\`](https://www.npmjs.com/package/@portico/adapter-node).

Needs **Node.js ${NODE_MINIMUM} or newer** (it runs the TypeScript files as they are, with Node's type stripping).

${toolsReadme()}

## Run it locally

\`\`\`sh
${pm} install
${runScript(pm, "dev")}      # http://127.0.0.1:3000/mcp, restarts when a file changes
\`\`\`

Try it with the MCP Inspector (\`${dlx(pm, "@modelcontextprotocol/inspector")}\`, transport "Streamable HTTP",
URL \`http://127.0.0.1:3000/mcp\`), or from a terminal:

\`\`\`sh
${dlx(pm, "@modelcontextprotocol/inspector")} --cli http://127.0.0.1:3000/mcp --method tools/call --tool-name add --tool-arg a=1 --tool-arg b=2
\`\`\`

## Test

\`\`\`sh
${pm} test      # starts src/server.ts on a free port and calls its tools (test/server.test.ts)
\`\`\`

## Build and deploy

\`\`\`sh
${runScript(pm, "build")}   # type-checks and compiles to dist/
${pm} start       # node dist/server.js
\`\`\`

Run \`${pm} start\` on any host with Node.js (a VM, a container, a PaaS). Configuration:

| variable | meaning |
| --- | --- |
| \`PORT\` | port to listen on (default 3000) |
| \`HOST\` | address to listen on (default \`127.0.0.1\`; \`0.0.0.0\` to accept outside connections) |
| \`ALLOWED_HOSTS\` | comma-separated host names clients reach the server by (e.g. \`mcp.example.com\`). Requests with any other \`Host\` get a 403 (DNS-rebinding protection); localhost names always pass |
| \`ALLOWED_ORIGINS\` | comma-separated browser origins allowed besides same-origin and localhost |
| \`REQUEST_STATE_SECRET\` | 32+ random characters sealing the 2026-07-28 era's \`requestState\`; set the same value on every instance |
| \`LOG_LEVEL\` | lowest level of the log lines: \`debug\`, \`info\` (default: one line per request), \`warn\`, \`error\`, \`silent\` |
${redis ? "| `REDIS_URL` | Redis for sessions, event logs and the bus (e.g. `redis://localhost:6379`), so several processes serve one session space. Unset: memory (one process) |\n" : ""}
${
  redis
    ? "Legacy-era sessions live in Redis when `REDIS_URL` is set ([`src/stores.ts`](src/stores.ts)), else in memory."
    : "Legacy-era sessions live in memory: run one process, or switch to shared stores (`@portico/store-redis`) to run several."
}

${logsReadme("node")}
`;
}

/** Every file of a Node project. */
export function nodeProject(options: ProjectOptions, version: string): ProjectFiles {
  const redis = options.stores === "redis";
  const files: ProjectFiles = {
    "package.json": packageJson(options, version, {
      scripts: {
        dev: "node --watch src/server.ts",
        build: "tsc -p tsconfig.build.json",
        start: "node dist/server.js",
        typecheck: "tsc -p .",
        test: 'node --test "test/*.test.ts"',
      },
      portico: redis
        ? ["adapter-node", "core", "observe", "store-redis"]
        : ["adapter-node", "core", "observe"],
      ...(redis ? { libraries: ["redis" as const] } : {}),
      tools: [],
    }),
    "tsconfig.json": tsconfig({ include: ["src", "test"] }),
    "tsconfig.build.json": `${JSON.stringify(
      {
        extends: "./tsconfig.json",
        compilerOptions: { noEmit: false, outDir: "dist", rootDir: "src" },
        include: ["src"],
      },
      null,
      2,
    )}\n`,
    ".gitignore": gitignore(),
    "README.md": readme(options),
    "src/tools.ts": toolsModule(options),
    "src/app.ts": appModule(options),
    "src/server.ts": serverModule(options),
    "test/_mcp.ts": mcpTestHelper(),
    "test/server.test.ts": serverTest(),
  };
  if (redis) files["src/stores.ts"] = storesModule();
  return files;
}
