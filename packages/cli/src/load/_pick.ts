import type { McpServer } from "@portico/core";
import type { FetchApp } from "@portico/host";
import { CliError, oneLine } from "../_errors.ts";

/** What an entry serves: a server definition (the CLI makes the handler) or a ready fetch handler. */
export type Target = { kind: "server"; server: McpServer } | { kind: "app"; app: FetchApp };

/** What an entry should export, for the one-line errors. */
export const WHAT_TO_EXPORT =
  "export default an McpServer (or a function returning one, or a { fetch } handler), or name the export with --export <name>";

function isFetchApp(value: unknown): value is FetchApp {
  return (
    typeof value === "object" && value !== null && typeof (value as { fetch?: unknown }).fetch === "function"
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object")
    return `an object (${Object.keys(value).slice(0, 5).join(", ") || "no keys"})`;
  return typeof value === "undefined" ? "undefined" : `a ${typeof value}`;
}

/**
 * Picks the export an entry serves: `--export <name>` when given; else the default export; else
 * the export named `server`; else the only export that is an `McpServer`, a `{ fetch }` handler or
 * a function. A function is called with no arguments (it may be async) and must return an
 * `McpServer` or a `{ fetch }` handler. Anything unclear or missing is a one-line error.
 */
export async function pickTarget(
  mod: Record<string, unknown>,
  isServer: (value: unknown) => value is McpServer,
  entryLabel: string,
  exportName?: string,
): Promise<{ target: Target; name: string }> {
  const names = Object.keys(mod);
  let name: string;
  if (exportName !== undefined) {
    if (!names.includes(exportName)) {
      const list = names.length > 0 ? `; it exports ${names.join(", ")}` : "; it exports nothing";
      throw new CliError(`${entryLabel} has no export named ${JSON.stringify(exportName)}${list}`, 2);
    }
    name = exportName;
  } else if (mod.default !== undefined) name = "default";
  else if (mod.server !== undefined) name = "server";
  else {
    const candidates = names.filter(
      (n) => isServer(mod[n]) || isFetchApp(mod[n]) || typeof mod[n] === "function",
    );
    if (candidates.length === 0)
      throw new CliError(`${entryLabel} exports no MCP server: ${WHAT_TO_EXPORT}`, 2);
    if (candidates.length > 1)
      throw new CliError(
        `${entryLabel} has several exports that could be the server (${candidates.join(", ")}): export default the one to serve, or pick it with --export <name>`,
        2,
      );
    name = candidates[0] as string;
  }
  return { target: await resolveExport(mod[name], name, isServer, entryLabel), name };
}

async function resolveExport(
  value: unknown,
  name: string,
  isServer: (value: unknown) => value is McpServer,
  entryLabel: string,
): Promise<Target> {
  const label = `${entryLabel}'s ${name === "default" ? "default export" : `export ${name}`}`;
  if (isServer(value)) return { kind: "server", server: value };
  if (isFetchApp(value)) return { kind: "app", app: value };
  if (typeof value !== "function")
    throw new CliError(`${label} is ${describe(value)}, not an MCP server: ${WHAT_TO_EXPORT}`, 2);
  let result: unknown;
  try {
    result = await (value as () => unknown)();
  } catch (error) {
    throw new CliError(`${label} threw when called: ${oneLine(error)}`, 1);
  }
  if (isServer(result)) return { kind: "server", server: result };
  if (isFetchApp(result)) return { kind: "app", app: result };
  throw new CliError(
    `${label} is a function that returned ${describe(result)}, not an McpServer or a { fetch } handler: ${WHAT_TO_EXPORT}`,
    2,
  );
}
