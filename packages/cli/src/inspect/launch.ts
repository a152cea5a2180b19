import { existsSync, readFileSync } from "node:fs";
import { dirname, join, parse, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The npm package of the MCP Inspector, and the range the CLI drives. */
export const INSPECTOR_PACKAGE = "@modelcontextprotocol/inspector";
export const INSPECTOR_RANGE = "^2";
/** The Inspector 2's `engines`. */
export const INSPECTOR_MIN_NODE = "22.19.0";

/** What the Inspector connects to: a URL, or a command it launches and talks to over stdio. */
export type InspectorTarget =
  | { url: string; headers?: Record<string, string> }
  | { command: string; args: string[] };

/** A process to run. */
export interface Launch {
  command: string;
  args: string[];
}

/**
 * The Inspector's arguments: the mode flag first (`--cli`, or none for the web UI), then its
 * options (headers, the transport when the URL does not say, the caller's extra flags), then the
 * target — a URL, or `-- <command> <args>` for stdio.
 */
export function inspectorArgs(
  target: InspectorTarget,
  cli: boolean,
  extra: readonly string[] = [],
): string[] {
  const args = cli ? ["--cli"] : [];
  if ("url" in target) {
    for (const [name, value] of Object.entries(target.headers ?? {}))
      args.push("--header", `${name}: ${value}`);
    const path = new URL(target.url).pathname;
    if (!path.endsWith("/mcp") && !path.endsWith("/sse") && !extra.includes("--transport"))
      args.push("--transport", "http");
    args.push(...extra, target.url);
  } else args.push(...extra, "--", target.command, ...target.args);
  return args;
}

/** The Inspector's launcher script in a `node_modules` at or above `from`, if installed there. */
function installedUnder(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const manifest = join(dir, "node_modules", INSPECTOR_PACKAGE, "package.json");
    if (existsSync(manifest)) {
      const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin?: Record<string, string> };
      const script = bin?.["mcp-inspector"];
      if (script !== undefined) return join(dirname(manifest), script);
    }
    if (dir === parse(dir).root) return undefined;
    dir = dirname(dir);
  }
}

/**
 * The local Inspector: `PORTICO_INSPECTOR` (a path to its launcher script), else an install in the
 * working directory's project or beside the CLI; `undefined` when there is none.
 */
export function findInspector(cwd: string = process.cwd()): string | undefined {
  const fromEnv = process.env.PORTICO_INSPECTOR;
  if (fromEnv !== undefined && fromEnv !== "") return resolve(fromEnv);
  return installedUnder(cwd) ?? installedUnder(dirname(fileURLToPath(import.meta.url)));
}

function olderThan(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/**
 * How to start the Inspector with `args`: its local launcher on this Node, or, when it is not
 * installed, `npx -y @modelcontextprotocol/inspector@^2`. A local launcher on a Node older than
 * the Inspector's engines is a one-line error (returned as `problem`). `installed` defaults to
 * {@link findInspector}'s answer, `nodeVersion` to this Node's.
 */
export function inspectorLaunch(
  args: string[],
  opts: { installed?: string | undefined; nodeVersion?: string } = {},
): Launch | { problem: string } {
  const installed = "installed" in opts ? opts.installed : findInspector();
  const nodeVersion = opts.nodeVersion ?? process.versions.node;
  if (installed === undefined)
    return { command: "npx", args: ["-y", `${INSPECTOR_PACKAGE}@${INSPECTOR_RANGE}`, ...args] };
  if (olderThan(nodeVersion, INSPECTOR_MIN_NODE))
    return {
      problem: `the MCP Inspector needs Node ${INSPECTOR_MIN_NODE} or newer (this is ${nodeVersion}): run portico with a newer Node`,
    };
  return { command: process.execPath, args: [installed, ...args] };
}

/**
 * The command the Inspector runs for `portico stdio <entry>`: this Node, with the export
 * conditions this process was started with, and this CLI's own script.
 */
export function stdioLaunch(
  entry: string,
  exportName: string | undefined,
  conditions: readonly string[],
): Launch {
  const script = process.argv[1] ?? fileURLToPath(new URL("../bin.ts", import.meta.url));
  const args = [...conditions.map((c) => `--conditions=${c}`), script, "stdio", resolve(entry)];
  if (exportName !== undefined) args.push("--export", exportName);
  return { command: process.execPath, args };
}
