import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError, oneLine } from "../_errors.ts";

/** The first stack frame in the user's code, as `file:line`, relative to the working directory. */
export function userFrame(error: unknown): string | undefined {
  // Anything may be thrown, `null` and `undefined` included.
  const stack = (error as { stack?: unknown } | null | undefined)?.stack;
  if (typeof stack !== "string") return undefined;
  for (const line of stack.split("\n").slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (match === null) continue;
    const file = (match[1] as string).replace(/^file:\/\//, "");
    if (file.includes("/node_modules/")) continue;
    return `${relative(process.cwd(), file)}:${match[2]}`;
  }
  return undefined;
}

/**
 * Imports a bundle. A module that throws while loading, or imports a package the project lacks,
 * becomes one line naming the entry (and where it threw).
 */
export async function importBundle(file: string, entryLabel: string): Promise<Record<string, unknown>> {
  // Stack traces of bundles point at the user's sources (the bundles carry inline source maps).
  process.setSourceMapsEnabled(true);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null | undefined)?.code;
    const message = oneLine(error);
    if (code === "ERR_MODULE_NOT_FOUND") {
      const name = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
      if (name !== undefined && !name.startsWith("/"))
        throw new CliError(`${entryLabel} imports ${name}, which is not installed in its project`, 1);
    }
    const where = userFrame(error);
    throw new CliError(`${entryLabel} threw while loading: ${message}${where ? ` (${where})` : ""}`, 1);
  }
}
