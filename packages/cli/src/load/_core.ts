import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Core from "@portico/core";

/** The parts of `@portico/core` the CLI uses, from the copy the user's project resolves. */
export type CoreModule = Pick<typeof Core, "createHandler" | "memoryStores" | "McpServer">;

const SHIM = 'export { createHandler, memoryStores, McpServer } from "@portico/core";\n';
const loaded = new Map<string, Promise<CoreModule | undefined>>();

/**
 * `@portico/core` as the user's project resolves it (the copy its `McpServer` comes from: a server
 * only works with the `createHandler` of its own copy), through a one-line module written beside
 * the bundles. `undefined` when the project has none.
 */
export function projectCore(outDir: string): Promise<CoreModule | undefined> {
  let core = loaded.get(outDir);
  if (core === undefined) {
    core = (async () => {
      const file = join(outDir, "core.mjs");
      if (!existsSync(file)) {
        mkdirSync(outDir, { recursive: true });
        writeFileSync(file, SHIM);
      }
      try {
        return (await import(pathToFileURL(file).href)) as CoreModule;
      } catch {
        return undefined;
      }
    })();
    loaded.set(outDir, core);
  }
  return core;
}
