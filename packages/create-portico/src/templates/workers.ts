/** The Cloudflare Workers project: a module worker, legacy-era sessions in a Durable Object. */
import { type ProjectOptions, resourceName } from "../options.ts";
import {
  dlx,
  gitignore,
  localTool,
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

function workerModule(options: ProjectOptions): string {
  const durable = options.stores === "durable-objects";
  return `/**
 * The MCP server as a Cloudflare module worker, at \`/mcp\` (everything else answers 404).${
   durable
     ? "\n * Legacy-era sessions live in the `PorticoSessionObject` Durable Object, one object per session;\n * the 2026-07-28 era is stateless and never touches it."
     : "\n * Legacy-era sessions live in the isolate's memory: a session is only known to the isolate that\n * started it (the stateless 2026-07-28 era is unaffected)."
 }
 */
import { handle } from "@portico/adapter-workers";
import { createHandler, type HandlerOptions } from "@portico/core";
import { observe, parseLevel } from "@portico/observe";
${durable ? 'import { durableObjectStores, PorticoSessionObject } from "@portico/store-durable-objects";\n' : ""}import { createServer } from "./tools.ts";
${durable ? "\n// A module worker exports its handlers and its Durable Object classes.\nexport { PorticoSessionObject };\n" : ""}
/** The bindings of wrangler.jsonc, and the secret. */
export interface Env {
${durable ? "  MCP_SESSIONS: DurableObjectNamespace<PorticoSessionObject>;\n" : ""}  /** Host names besides localhost and the Worker's *.workers.dev name: custom domains, routes. */
  ALLOWED_HOSTS?: string;
  /** Seals the 2026-07-28 era's requestState in every isolate alike (\`wrangler secret put MCP_STATE_SECRET\`). */
  MCP_STATE_SECRET?: string;
  /** The lowest level of the log lines: \`debug\`, \`info\` (default), \`warn\`, \`error\`, \`silent\`. */
  LOG_LEVEL?: string;
}

const MCP_PATH = "/mcp";

export default handle<Env>((env) => {
  // One JSON line per request through console (Workers Logs), errors with their stack.
  const ops = observe({ service: ${JSON.stringify(resourceName(options.name).toLowerCase())}, level: parseLevel(env.LOG_LEVEL) });
  const server = createServer();
  server.use(ops); // first: it sees every request
  const options: HandlerOptions = {
${durable ? "    stores: ops.stores(durableObjectStores(env.MCP_SESSIONS)),\n" : ""}    allowedHosts: (env.ALLOWED_HOSTS ?? "")
      .split(",")
      .map((host) => host.trim())
      .filter((host) => host !== ""),
    onError: ops.onError,
  };
  if (env.MCP_STATE_SECRET) options.secret = env.MCP_STATE_SECRET;
  const mcp = createHandler(server, options);
  return {
    fetch(request, workerEnv, ctx) {
      if (new URL(request.url).pathname === MCP_PATH) return mcp.fetch(request, workerEnv, ctx);
      return Response.json({ error: \`Not found: the MCP endpoint is \${MCP_PATH}\` }, { status: 404 });
    },
  };
});
`;
}

function wranglerConfig(options: ProjectOptions): string {
  const durable = options.stores === "durable-objects";
  return `// ${options.name}: \`npm run dev\` serves it on http://127.0.0.1:8787/mcp.
{
  "$schema": "node_modules/wrangler/config-schema.json",
  "name": ${JSON.stringify(resourceName(options.name).toLowerCase())},
  "main": "src/index.ts",
  "compatibility_date": "2026-11-01",
  // \`wrangler dev\` listens on loopback only.
  "dev": { "ip": "127.0.0.1", "port": 8787 },
  // Host names the MCP endpoint answers besides localhost and its *.workers.dev name, comma-separated:
  // a custom domain or route, e.g. "mcp.example.com". Any other Host gets a 403 (DNS-rebinding
  // protection). Never "*".
  "vars": { "ALLOWED_HOSTS": "", "LOG_LEVEL": "info" },
  // Workers Logs: keeps the Worker's log lines (one JSON line per request).
  "observability": { "enabled": true }${
    durable
      ? `,
  // Legacy-era sessions (2025-11-25 and older): one Durable Object per session, SQLite storage.
  "durable_objects": {
    "bindings": [{ "name": "MCP_SESSIONS", "class_name": "PorticoSessionObject" }]
  },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["PorticoSessionObject"] }]`
      : ""
  }
}
`;
}

function toolsTest(): string {
  return `/** The tools module on its own, through the MCP handler's fetch (no Worker needed). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createHandler } from "@portico/core";
import { createServer } from "../src/tools.ts";
import { toolCall, toolText } from "./_mcp.ts";

const mcp = createHandler(createServer());

test("add answers the sum", async () => {
  assert.equal(await toolText(await mcp.fetch(toolCall("http://localhost/mcp", "add", { a: 2, b: 3 }))), "5");
});

test("add refuses arguments that are not numbers", async () => {
  const response = await mcp.fetch(toolCall("http://localhost/mcp", "add", { a: "2", b: 3 }));
  await assert.rejects(toolText(response));
});
`;
}

function workerTest(): string {
  return `/**
 * The Worker itself (src/index.ts) under \`wrangler dev\` on 127.0.0.1 (workerd, local Durable
 * Objects), started from this process on a free port, answering tool calls.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type DevWorker, devWorker } from "@portico/adapter-workers/dev";
import { toolCall, toolText } from "./_mcp.ts";

let worker: DevWorker | undefined;

before(async () => {
  worker = await devWorker(fileURLToPath(new URL("../wrangler.jsonc", import.meta.url)), {
    vars: { MCP_STATE_SECRET: randomBytes(32).toString("hex") },
  });
});

after(async () => {
  await worker?.stop();
});

test("the Worker answers tools/call at /mcp", async () => {
  const response = await fetch(toolCall(new URL("/mcp", worker?.url), "greet", { name: "Ada" }));
  assert.equal(await toolText(response), "Hello, Ada!");
});

test("a path other than /mcp is a 404", async () => {
  const response = await fetch(new URL("/elsewhere", worker?.url));
  assert.equal(response.status, 404);
  await response.body?.cancel();
});
`;
}

function readme(options: ProjectOptions): string {
  const pm = options.packageManager;
  const durable = options.stores === "durable-objects";
  const worker = resourceName(options.name).toLowerCase();
  return `# ${options.name}

An [MCP](https://modelcontextprotocol.io) server built with [Portico](https://www.npmjs.com/package/@portico/core)
as a Cloudflare Worker ([\`@portico/adapter-workers\`](https://www.npmjs.com/package/@portico/adapter-workers)):
[\`src/index.ts\`](src/index.ts), configured by [\`wrangler.jsonc\`](wrangler.jsonc).

Needs **Node.js ${NODE_MINIMUM} or newer** locally (wrangler needs 22.12 or newer; the tests run the TypeScript
files as they are, with Node's type stripping).

${toolsReadme()}

## Run it locally

\`\`\`sh
${pm} install
${runScript(pm, "dev")}      # wrangler dev: http://127.0.0.1:8787/mcp${durable ? " (local Durable Objects in .wrangler/state)" : ""}
\`\`\`

Connect the MCP Inspector (\`${dlx(pm, "@modelcontextprotocol/inspector")}\`, "Streamable HTTP",
\`http://127.0.0.1:8787/mcp\`). Set \`WRANGLER_SEND_METRICS=false\` to keep wrangler from sending usage metrics.

## Test

\`\`\`sh
${pm} test           # the tools through createHandler(...).fetch, and the Worker under wrangler dev
${runScript(pm, "build")}      # type-check, then wrangler deploy --dry-run: what would be uploaded, in dist/
\`\`\`

## Deploy

\`\`\`sh
${localTool(pm, "wrangler login")}                         # once
${localTool(pm, "wrangler secret put MCP_STATE_SECRET")}   # 32+ random characters
${runScript(pm, "deploy")}
\`\`\`

The Worker answers at \`https://${worker}.<your-subdomain>.workers.dev/mcp\` with nothing more to configure.
For a custom domain (or route), add it in Cloudflare and list it in \`ALLOWED_HOSTS\` in
\`wrangler.jsonc\`: any \`Host\` not listed gets a 403.

| binding | where | what |
| --- | --- | --- |
${durable ? "| `MCP_SESSIONS` | `wrangler.jsonc` `durable_objects` | the `PorticoSessionObject` namespace (SQLite storage, migration `v1`): legacy-era sessions, one object each |\n" : ""}| \`ALLOWED_HOSTS\` | \`wrangler.jsonc\` \`vars\` | host names besides localhost and the \`*.workers.dev\` name |
| \`MCP_STATE_SECRET\` | \`wrangler secret put\` (locally: \`.dev.vars\`) | seals the 2026-07-28 era's \`requestState\` in every isolate alike; without it each isolate draws its own |
| \`LOG_LEVEL\` | \`wrangler.jsonc\` \`vars\` | the lowest level of the log lines (default \`info\`) |

${logsReadme("workers")}
`;
}

/** Every file of a Cloudflare Workers project. */
export function workersProject(options: ProjectOptions, version: string): ProjectFiles {
  const durable = options.stores === "durable-objects";
  return {
    "package.json": packageJson(options, version, {
      scripts: {
        dev: "wrangler dev",
        build: "tsc -p . && tsc -p test && wrangler deploy --dry-run --outdir dist",
        typecheck: "tsc -p . && tsc -p test",
        test: 'node --test "test/*.test.ts"',
        deploy: "wrangler deploy",
      },
      portico: durable
        ? ["adapter-workers", "core", "observe", "store-durable-objects"]
        : ["adapter-workers", "core", "observe"],
      tools: ["wrangler", "@cloudflare/workers-types"],
    }),
    // The Worker against the Workers runtime's types; the tests (Node) against Node's.
    "tsconfig.json": tsconfig({ include: ["src"], types: ["@cloudflare/workers-types"] }),
    "test/tsconfig.json": tsconfig({ include: [".", "../src/tools.ts"] }),
    "wrangler.jsonc": wranglerConfig(options),
    ".gitignore": gitignore([".wrangler/", ".dev.vars", ".dev.vars.*"]),
    "README.md": readme(options),
    "src/tools.ts": toolsModule(options),
    "src/index.ts": workerModule(options),
    "test/_mcp.ts": mcpTestHelper(),
    "test/tools.test.ts": toolsTest(),
    "test/worker.test.ts": workerTest(),
  };
}
