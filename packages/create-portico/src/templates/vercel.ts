/** The Vercel project: `api/mcp.ts` (Web-signature exports), rewritten to `/mcp` by `vercel.json`. */
import type { ProjectOptions } from "../options.ts";
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

/** Seconds a request may run: `vercel.json`'s `maxDuration`, and the adapter's deadline. */
const MAX_DURATION = 60;

function functionModule(): string {
  return `/**
 * The MCP server as a Vercel Function on the Node.js runtime, at \`/api/mcp\` and \`/mcp\` (rewritten
 * in vercel.json). The Web-signature exports stream SSE chunk by chunk.
 */
import { handle } from "@portico/adapter-vercel";
import { createApp } from "../src/app.ts";

export const { GET, POST, DELETE, OPTIONS } = handle(createApp(process.env), {
  // vercel.json's maxDuration: tools see their signal fire a second before Vercel stops the function.
  maxDuration: ${MAX_DURATION},
});
`;
}

function appModule(options: ProjectOptions): string {
  const redis = options.stores === "redis";
  return `/**
 * The MCP handler with the deployment's configuration, from the environment:
 * - \`REQUEST_STATE_SECRET\` (required on Vercel): seals the 2026-07-28 era's requestState, the same
 *   value on every instance;
 * - \`ALLOWED_HOSTS\`, \`ALLOWED_ORIGINS\`: comma-separated, for names and origins served elsewhere.
 * - \`LOG_LEVEL\`: the lowest level of the log lines (\`debug\`, \`info\` by default, \`warn\`, \`error\`, \`silent\`).${
   redis
     ? "\n * - `UPSTASH_REDIS_REST_URL`, `UPSTASH_REDIS_REST_TOKEN` (or `KV_REST_API_URL`, `KV_REST_API_TOKEN`):\n *   Upstash Redis for legacy-era sessions, so any instance serves any session."
     : ""
 }
 */
import { devStores } from "@portico/adapter-vercel/dev";
import { createHandler, type HandlerOptions, type McpHandler } from "@portico/core";
import { observe, parseLevel } from "@portico/observe";
${redis ? 'import { RedisRestClient, redisStores } from "@portico/store-redis";\n' : ""}import { createServer } from "./tools.ts";

export type Env = Readonly<Record<string, string | undefined>>;

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}

export function createApp(env: Env): McpHandler {
  // VERCEL_ENV is "production" or "preview" on Vercel: there, every instance needs the same key.
  const deployed = env.VERCEL_ENV === "production" || env.VERCEL_ENV === "preview";
  if (deployed && !env.REQUEST_STATE_SECRET) {
    throw new Error("REQUEST_STATE_SECRET is not set: add it in the project's environment variables");
  }
  // One JSON line per request on stdout (Vercel's runtime logs), errors with their stack.
  const ops = observe({ service: ${JSON.stringify(options.name)}, level: parseLevel(env.LOG_LEVEL) });
  const server = createServer();
  server.use(ops); // first: it sees every request
  const options: HandlerOptions = {
    // None needed for the deployment's own names: the adapter passes the Host Vercel routed by on.
    allowedHosts: list(env.ALLOWED_HOSTS),
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    onError: ops.onError,
  };
  if (env.REQUEST_STATE_SECRET) options.secret = env.REQUEST_STATE_SECRET;
${
  redis
    ? `  const url = env.UPSTASH_REDIS_REST_URL ?? env.KV_REST_API_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN ?? env.KV_REST_API_TOKEN;
  if (url && token) {
    // REST has no pub/sub connection: the bus polls.
    options.stores = ops.stores(redisStores({ client: new RedisRestClient({ url, token }), bus: "poll" }));
  } else if (env.PORTICO_DEV_STORES_URL) {
    options.stores = ops.stores(devStores(env.PORTICO_DEV_STORES_URL));
  }
`
    : `  // Memory stores: a legacy-era session is only seen by the instance that started it. Under
  // \`npm run dev\` one set of memory stores is shared by vercel dev's processes.
  if (env.PORTICO_DEV_STORES_URL) options.stores = ops.stores(devStores(env.PORTICO_DEV_STORES_URL));
`
}  return createHandler(server, options);
}
`;
}

function devScript(): string {
  return `/**
 * \`npm run dev\`: \`vercel dev --local --listen 127.0.0.1:$PORT\` (default 3000; no login, no linked
 * project), plus what its fresh process per request needs: one set of memory stores shared by every
 * process (legacy-era sessions) and one requestState secret.
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { startVercelDev } from "@portico/adapter-vercel/dev";

const port = process.env.PORT ? Number(process.env.PORT) : 3000;
if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
  console.error(\`invalid PORT \${JSON.stringify(process.env.PORT)}: give an integer from 0 to 65535 (0 picks a free one)\`);
  process.exit(1);
}
const dev = await startVercelDev({
  cwd: fileURLToPath(new URL("..", import.meta.url)),
  port,
  env: { REQUEST_STATE_SECRET: process.env.REQUEST_STATE_SECRET ?? randomBytes(32).toString("hex") },
  onOutput: (text) => process.stdout.write(text),
});
console.log(\`\\nMCP endpoint: \${dev.url}/mcp\`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void dev.stop().then(() => process.exit(0)));
}
`;
}

function functionTest(): string {
  return `/** \`api/mcp.ts\` as Vercel calls it: its \`POST\` export with a Web \`Request\`. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { stdoutLines, toolCall, toolText } from "./_mcp.ts";

// What the project's environment variables give the function on Vercel.
process.env.REQUEST_STATE_SECRET ??= randomBytes(32).toString("hex");
const { GET, POST } = await import("../api/mcp.ts");

test("POST answers tools/call", async () => {
  const response = await POST(toolCall("http://localhost:3000/mcp", "add", { a: 2, b: 3 }));
  assert.equal(await toolText(response), "5");
});

test("greet answers a greeting", async () => {
  const response = await POST(toolCall("http://localhost:3000/api/mcp", "greet", { name: "Ada" }));
  assert.equal(await toolText(response), "Hello, Ada!");
});

test("a foreign Host is refused outside Vercel (DNS rebinding)", async () => {
  const request = toolCall("http://evil.example.com/mcp", "add", { a: 2, b: 3 });
  const response = await POST(request);
  assert.equal(response.status, 403);
  await response.body?.cancel();
});

test("logs each request as one JSON line, with its x-vercel-id", async () => {
  const call = toolCall("http://localhost:3000/mcp", "add", { a: 1, b: 1 });
  call.headers.set("x-vercel-id", "fra1::test-1");
  const lines = await stdoutLines(async () => assert.equal(await toolText(await POST(call)), "2"));
  const line = lines.find((record) => record.msg === "mcp request" && record.hostRequestId === "fra1::test-1");
  assert.equal(line?.method, "tools/call");
  assert.equal(line?.target, "add");
  assert.equal(line?.outcome, "ok");
});

test("GET without a session is not a tool call", async () => {
  const response = await GET(new Request("http://localhost:3000/mcp", { headers: { accept: "text/event-stream" } }));
  assert.notEqual(response.status, 200);
  await response.body?.cancel();
});
`;
}

function vercelJson(): string {
  return `${JSON.stringify(
    {
      $schema: "https://openapi.vercel.sh/vercel.json",
      // No build command: Vercel compiles the function itself, and `npm run build` runs `vercel build`.
      buildCommand: "",
      functions: { "api/mcp.ts": { maxDuration: MAX_DURATION, supportsCancellation: true } },
      rewrites: [{ source: "/mcp", destination: "/api/mcp" }],
    },
    null,
    2,
  )}\n`;
}

function readme(options: ProjectOptions): string {
  const pm = options.packageManager;
  const redis = options.stores === "redis";
  return `# ${options.name}

An [MCP](https://modelcontextprotocol.io) server built with [Portico](https://www.npmjs.com/package/@portico/core)
as a Vercel Function ([\`@portico/adapter-vercel\`](https://www.npmjs.com/package/@portico/adapter-vercel)):
[\`api/mcp.ts\`](api/mcp.ts), served at \`/mcp\` ([\`vercel.json\`](vercel.json) rewrites it).

Needs **Node.js ${NODE_MINIMUM} or newer** locally (the tests and the dev script run the TypeScript files as they
are, with Node's type stripping); on Vercel the function runs on the Node.js runtime.

${toolsReadme()}

## Run it locally

\`\`\`sh
${pm} install
${runScript(pm, "dev")}      # vercel dev --local on http://127.0.0.1:3000/mcp (no Vercel account needed)
\`\`\`

[\`scripts/dev.ts\`](scripts/dev.ts) wraps \`vercel dev --local\`: it runs a fresh process per request, so
the script shares one set of memory stores between them (legacy-era sessions) and sets one
\`REQUEST_STATE_SECRET\`. Connect the MCP Inspector (\`${dlx(pm, "@modelcontextprotocol/inspector")}\`,
"Streamable HTTP", \`http://127.0.0.1:3000/mcp\`).

## Test

\`\`\`sh
${pm} test           # calls the tools through api/mcp.ts's POST export (test/api.test.ts)
\`\`\`

## Build and deploy

\`\`\`sh
${localTool(pm, "vercel link")}                                     # once: create or pick the Vercel project
${localTool(pm, "vercel env add REQUEST_STATE_SECRET production")}  # 32+ random characters, e.g. openssl rand -hex 32
${localTool(pm, "vercel pull --yes --environment production")}      # the project's settings, into .vercel/
${runScript(pm, "deploy")}                                   # vercel build --prod, then vercel deploy --prebuilt --prod
\`\`\`

The build runs here and its output is uploaded (Vercel's prebuilt flow): \`.vercelignore\` keeps
\`src/\` from being uploaded (else Vercel would serve it as static files), so a build on Vercel
would not find the modules \`api/mcp.ts\` imports; here they are traced into the function.
\`${runScript(pm, "build")}\` type-checks, then runs \`vercel build\` into \`.vercel/output\`. \`vercel.json\`
sets no build command (\`"buildCommand": ""\`): \`vercel build\` compiles \`api/mcp.ts\` and the modules it
imports itself.

| variable | meaning |
| --- | --- |
| \`REQUEST_STATE_SECRET\` | seals the 2026-07-28 era's \`requestState\` in every instance alike; **required** in production and preview deployments |
| \`ALLOWED_HOSTS\` | comma-separated host names besides those Vercel routes by (the deployment's \`*.vercel.app\` names and the project's domains need no entry) |
| \`ALLOWED_ORIGINS\` | comma-separated browser origins besides same-origin and localhost |
| \`LOG_LEVEL\` | lowest level of the log lines: \`debug\`, \`info\` (default: one line per request), \`warn\`, \`error\`, \`silent\` |
${redis ? "| `UPSTASH_REDIS_REST_URL`, `UPSTASH_REDIS_REST_TOKEN` | Upstash Redis (add the Upstash integration to the project) for legacy-era sessions, event logs and the bus; without them sessions live in one instance's memory |\n" : ""}
${
  redis
    ? "Legacy-era sessions live in Upstash Redis when its variables are set, so any instance serves any session."
    : "Legacy-era sessions live in memory: a session is only known to the instance that started it (the stateless 2026-07-28 era is unaffected). Regenerate with `--stores redis` for shared sessions."
}

${logsReadme("vercel")}
`;
}

/** Every file of a Vercel project. */
export function vercelProject(options: ProjectOptions, version: string): ProjectFiles {
  const redis = options.stores === "redis";
  return {
    "package.json": packageJson(options, version, {
      scripts: {
        dev: "node scripts/dev.ts",
        build: "tsc -p . && vercel build",
        typecheck: "tsc -p .",
        test: 'node --test "test/*.test.ts"',
        deploy: "vercel build --prod && vercel deploy --prebuilt --prod",
      },
      portico: redis
        ? ["adapter-vercel", "core", "observe", "store-redis"]
        : ["adapter-vercel", "core", "observe"],
      tools: ["vercel"],
    }),
    "tsconfig.json": tsconfig({ include: ["api", "src", "scripts", "test"] }),
    "vercel.json": vercelJson(),
    // Only api/ is a function; the rest would otherwise be served as static files.
    ".vercelignore": ["/src", "/scripts", "/test", "/README.md", "/tsconfig.json", ""].join("\n"),
    ".gitignore": gitignore([".vercel/"]),
    "README.md": readme(options),
    "api/mcp.ts": functionModule(),
    "src/tools.ts": toolsModule(options),
    "src/app.ts": appModule(options),
    "scripts/dev.ts": devScript(),
    "test/_mcp.ts": mcpTestHelper({ stdoutLines: true }),
    "test/api.test.ts": functionTest(),
  };
}
