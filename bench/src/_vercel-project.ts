/**
 * The throwaway `vercel dev` project of vercel-cold-start.ts: two Node.js functions in a temp dir,
 * `api/portico` (the bench's Portico `add` app through `@portico/adapter-vercel`'s `handle`, as a
 * default export like the adapter's fixtures) and `api/bare` (a hand-written Web handler answering
 * the same sum as JSON-RPC, no protocol checks). Both add their `process.pid` as `x-function-pid`,
 * so the bench can tell whether a request ran in a process of its own. The packages come in by
 * name through symlinks in the project's node_modules, resolved as a user's would be: to their
 * `dist` builds (the function processes run without the `@portico/source` condition).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The functions, by route. */
export const FUNCTIONS = ["portico", "bare"] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

export const PID_HEADER = "x-function-pid";

// The same app as src/apps/portico.ts, in plain JavaScript: vercel dev loads it as is.
const PORTICO = `import { handle } from "@portico/adapter-vercel";
import { addTool, createHandler, McpServer } from "@portico/core";
import * as v from "valibot";

const server = new McpServer({ name: "bench", version: "1.0.0" });
addTool(
  server,
  "add",
  { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => String(a + b),
);
const portico = handle(createHandler(server, { secret: process.env.PORTICO_SECRET }));

export default {
  async fetch(request, context) {
    const response = await portico.fetch(request, context);
    response.headers.set("${PID_HEADER}", String(process.pid));
    return response;
  },
};
`;

const BARE = `export default {
  async fetch(request) {
    const { id, params } = await request.json();
    const { a, b } = params.arguments;
    const result = { content: [{ type: "text", text: String(a + b) }] };
    return Response.json(
      { jsonrpc: "2.0", id, result },
      { headers: { "${PID_HEADER}": String(process.pid) } },
    );
  },
};
`;

export interface VercelProject {
  /** The project directory (remove it when done). */
  dir: string;
  /** The Vercel CLI's entry file (the adapter's dev dependency). */
  cli: string;
}

function link(dir: string, name: string, target: string): void {
  const path = join(dir, "node_modules", name);
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(realpathSync(target), path, "dir");
}

/** Writes the project into a fresh temp dir, with `PORTICO_SECRET` in its `.env`. */
export function writeVercelProject(): VercelProject {
  const dir = mkdtempSync(join(tmpdir(), "portico-vercel-cold-"));
  mkdirSync(join(dir, "api"));
  writeFileSync(join(dir, "vercel.json"), '{ "$schema": "https://openapi.vercel.sh/vercel.json" }\n');
  writeFileSync(join(dir, ".env"), `PORTICO_SECRET=${randomBytes(32).toString("base64")}\n`);
  writeFileSync(join(dir, "api", "portico.mjs"), PORTICO);
  writeFileSync(join(dir, "api", "bare.mjs"), BARE);
  const adapter = join(ROOT, "packages", "adapter-vercel");
  link(dir, "@portico/adapter-vercel", adapter);
  link(dir, "@portico/core", join(ROOT, "packages", "core"));
  link(dir, "valibot", join(ROOT, "bench", "node_modules", "valibot"));
  const vercel = realpathSync(join(adapter, "node_modules", "vercel"));
  return { dir, cli: join(vercel, "dist", "vc.js") };
}
