/**
 * What every generated project shares: the manifest, the TypeScript configuration, the tools
 * module, the test helper and the .gitignore.
 */
import type { PackageManager, ProjectOptions } from "../options.ts";
import { LIBRARY_VERSIONS, TOOL_VERSIONS } from "../versions.ts";

/** A generated project: file path (relative, `/`-separated) → content. */
export type ProjectFiles = Record<string, string>;

/** The oldest Node the projects run on: type stripping (`node file.ts`) is on by default from 22.18. */
export const NODE_MINIMUM = "22.18";
/** The projects' `engines.node`. */
export const NODE_ENGINES = `>=${NODE_MINIMUM}`;

/** `npm run x` / `pnpm run x`. */
export function runScript(pm: PackageManager, script: string): string {
  return `${pm} run ${script}`;
}

/** `npx x` / `pnpm exec x`, for a CLI the project installs. */
export function localTool(pm: PackageManager, command: string): string {
  return pm === "pnpm" ? `pnpm exec ${command}` : `npx ${command}`;
}

/** `npx x` / `pnpm dlx x` as a README shows it, for a CLI the project does not install. */
export function dlx(pm: PackageManager, command: string): string {
  return pm === "pnpm" ? `pnpm dlx ${command}` : `npx ${command}`;
}

/** `npx --yes x` / `pnpm dlx x` for a script, for a CLI the project does not install. */
export function execTool(pm: PackageManager, command: string): string {
  return pm === "pnpm" ? `pnpm dlx ${command}` : `npx --yes ${command}`;
}

type Tool = keyof typeof TOOL_VERSIONS;
type Library = keyof typeof LIBRARY_VERSIONS;

export interface ManifestParts {
  scripts: Record<string, string>;
  /** `@portico/*` package names (without the scope). */
  portico: string[];
  libraries?: Library[];
  tools: Tool[];
  /** Set when no other field says it (Vercel reads it). */
  extra?: Record<string, unknown>;
}

function sorted(entries: [string, string][]): Record<string, string> {
  return Object.fromEntries(entries.toSorted(([a], [b]) => (a < b ? -1 : 1)));
}

/** The project's package.json: `@portico/*` at `^version`, libraries at caret ranges, tools pinned. */
export function packageJson(options: ProjectOptions, version: string, parts: ManifestParts): string {
  const dependencies = sorted([
    ...parts.portico.map((name): [string, string] => [`@portico/${name}`, `^${version}`]),
    ["valibot", `^${LIBRARY_VERSIONS.valibot}`],
    ...(parts.libraries ?? []).map((name): [string, string] => [name, `^${LIBRARY_VERSIONS[name]}`]),
  ]);
  const devDependencies = sorted(
    ["typescript", "@types/node", ...parts.tools].map((name): [string, string] => [
      name,
      TOOL_VERSIONS[name as Tool],
    ]),
  );
  const manifest = {
    name: options.name,
    version: "0.1.0",
    private: true,
    type: "module",
    scripts: parts.scripts,
    dependencies,
    devDependencies,
    engines: { node: NODE_ENGINES },
    ...parts.extra,
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export interface TsconfigParts {
  include: string[];
  types?: string[];
  /** Emit JavaScript to `dist/` (Node); everything else only type-checks. */
  outDir?: string;
  exclude?: string[];
}

/** Strict TypeScript for Node's type stripping: `.ts` imports, erasable syntax only. */
export function tsconfig(parts: TsconfigParts): string {
  const compilerOptions: Record<string, unknown> = {
    target: "ES2023",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2023"],
    types: parts.types ?? ["node"],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noImplicitOverride: true,
    verbatimModuleSyntax: true,
    // Node runs the .ts files as they are (type stripping): only syntax it can erase, `.ts` imports
    // (rewritten to `.js` when tsc emits).
    erasableSyntaxOnly: true,
    rewriteRelativeImportExtensions: true,
    skipLibCheck: true,
  };
  if (parts.outDir === undefined) compilerOptions.noEmit = true;
  else compilerOptions.outDir = parts.outDir;
  const config: Record<string, unknown> = { compilerOptions, include: parts.include };
  if (parts.exclude) config.exclude = parts.exclude;
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** `.env.*` too: `vercel env pull` writes `.env.local`, wrangler reads `.env.<environment>`. */
export function gitignore(extra: string[] = []): string {
  return ["node_modules/", "dist/", "*.tsbuildinfo", ".env", ".env.*", "!.env.example", ...extra, ""].join(
    "\n",
  );
}

/** `src/tools.ts`: the server and its tools, the same module on every runtime. */
export function toolsModule(options: ProjectOptions): string {
  return `/**
 * The MCP server and its tools: the one module every entry of this project serves. Add tools,
 * resources and prompts here (see https://www.npmjs.com/package/@portico/core).
 */
import { addTool, McpServer } from "@portico/core";
import * as v from "valibot";

/** A new server with this project's tools. */
export function createServer(): McpServer {
  const server = new McpServer({ name: ${JSON.stringify(options.name)}, version: "0.1.0" });

  addTool(
    server,
    "add",
    {
      title: "Add two numbers",
      description: "Adds two numbers and returns the sum.",
      input: v.object({ a: v.number(), b: v.number() }),
      output: v.object({ sum: v.number() }),
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }),
  );

  addTool(
    server,
    "greet",
    {
      description: "Greets someone by name.",
      input: v.object({ name: v.pipe(v.string(), v.minLength(1), v.maxLength(100)) }),
      annotations: { readOnlyHint: true },
    },
    ({ name }) => \`Hello, \${name}!\`,
  );

  return server;
}
`;
}

/**
 * `stdoutLines()` of a generated `test/_mcp.ts`: for the runtimes whose tests run the handler in the
 * test's own process and read its log lines (Lambda, Vercel).
 */
const STDOUT_LINES = `/**
 * The JSON lines written to stdout while \`work\` runs (and the turn after it, when batched log lines
 * leave), each parsed; other output is skipped. What is written still reaches stdout: node --test
 * shows a test file's output.
 */
export async function stdoutLines(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.stdout.write = write;
  }
  // Only the JSON lines, chunk by chunk: node --test's own (binary) reports share stdout.
  return written
    .flatMap((chunk) => chunk.split("\\n"))
    .flatMap((line) => {
      try {
        const value: unknown = JSON.parse(line);
        return typeof value === "object" && value !== null ? [value as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
}

`;

/**
 * `test/_mcp.ts`: one modern-era (2026-07-28, stateless) tools/call, and the text it answers; with
 * `stdoutLines`, a helper that reads the JSON lines a piece of work writes on stdout.
 */
export function mcpTestHelper({ stdoutLines = false }: { stdoutLines?: boolean } = {}): string {
  return `/** Test helpers: a stateless MCP tools/call (protocol 2026-07-28) and the text of its answer. */

const PROTOCOL = "2026-07-28";

/** A tools/call of \`name\` with \`args\`, POSTed to \`url\`. */
export function toolCall(url: string | URL, name: string, args: Record<string, unknown>): Request {
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": PROTOCOL,
      "mcp-method": "tools/call",
      "mcp-name": name,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name,
        arguments: args,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": PROTOCOL,
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  });
}

interface ToolResult {
  content?: { type: string; text?: string }[];
  isError?: boolean;
}

${stdoutLines ? STDOUT_LINES : ""}/** The first text of a successful tools/call answer (JSON or an SSE stream); throws otherwise. */
export async function toolText(response: Response): Promise<string> {
  const body = await response.text();
  if (response.status !== 200) throw new Error(\`HTTP \${response.status}: \${body}\`);
  const json = (response.headers.get("content-type") ?? "").includes("text/event-stream")
    ? body
        .split("\\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .find((data) => data.includes('"result"') || data.includes('"error"'))
    : body;
  const message = JSON.parse(json ?? "{}") as { result?: ToolResult; error?: unknown };
  const text = message.result?.content?.[0]?.text;
  if (message.result?.isError === true || text === undefined) throw new Error(\`no tool result: \${body}\`);
  return text;
}
`;
}

/** The section of every README that describes the tools module. */
export function toolsReadme(): string {
  return `## Your tools

[\`src/tools.ts\`](src/tools.ts) defines the server and its tools (\`add\`, \`greet\`). Input and
output schemas are [Valibot](https://valibot.dev) schemas; the handler's arguments are typed from
them. Add tools, resources and prompts there: every entry of this project serves that one module.
The MCP endpoint answers both protocol eras: the stateless 2026-07-28 era, and the session-based
2024-11-05 … 2025-11-25 era that most clients speak today.`;
}

/** Where each runtime's log lines go, and how to read them there. */
const LOGS_WHERE = {
  node: "on stdout: a container platform or systemd collects them; `jq` reads them in a terminal",
  lambda:
    'on stdout, into the function\'s CloudWatch log group (Logs Insights reads their fields: `fields target, durationMs, outcome | filter msg = "mcp request"`)',
  vercel: "on stdout, into the project's runtime logs (Logs tab, `vercel logs`)",
  workers:
    "through `console`, into Workers Logs (`observability` in wrangler.jsonc; the dashboard filters them by field, `wrangler tail` shows them live)",
} as const;

/** The README section on the project's logs (and, on Lambda, metrics): `@portico/observe`. */
export function logsReadme(runtime: keyof typeof LOGS_WHERE): string {
  const metrics =
    runtime === "lambda"
      ? `

It also writes CloudWatch Embedded Metric Format documents beside them (namespace \`Portico\`, the
function's name as \`Service\`): \`Requests\`, \`Errors\`, \`Duration\` and \`ColdStarts\` by method and by
tool, store latency and errors, HTTP refusals by status. CloudWatch turns them into metrics on its
own: no API call and no IAM permission beyond writing logs. They are custom metrics, billed per
metric for each hour it receives data (every method and tool called adds eight); to go without,
remove \`metrics\` from \`observe(…)\` in [\`src/handler.ts\`](src/handler.ts).`
      : "";
  return `## Logs

Every request writes one JSON line (through [\`@portico/observe\`](https://www.npmjs.com/package/@portico/observe)):
method, tool, protocol era, outcome, duration, the legacy session id, and the host's request id
(\`hostRequestId\`) and the caller's trace id, so one request can be followed across systems. Errors a
client never sees get a line with their stack; credentials are redacted and tool arguments left
out. The lines go ${LOGS_WHERE[runtime]}. \`LOG_LEVEL\` sets the lowest level written (\`debug\`,
\`info\`, \`warn\`, \`error\`, \`silent\`).${metrics}`;
}
