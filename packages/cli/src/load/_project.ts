import { existsSync } from "node:fs";
import { dirname, join, parse } from "node:path";

/**
 * The folder of the project an entry belongs to: the nearest folder above the entry holding a
 * `package.json` (else the entry's own folder). Bundles go to its `node_modules/.cache/portico/`,
 * so the bare imports they keep (`@portico/core`, `valibot`…) resolve from the user's project.
 */
export function projectDir(entryFile: string): string {
  let dir = dirname(entryFile);
  const { root } = parse(dir);
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dir === root) return dirname(entryFile);
    dir = dirname(dir);
  }
}

/** Where an entry's bundles are written. */
export function cacheDir(entryFile: string): string {
  return join(projectDir(entryFile), "node_modules", ".cache", "portico");
}

/**
 * The export conditions this process resolves with (`--conditions=x`, `-C x`, in its arguments or
 * `NODE_OPTIONS`), handed to esbuild so the bundle resolves as the process does (inside the
 * Portico monorepo: `@portico/source`).
 */
export function processConditions(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? "",
): string[] {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter((a) => a !== "")];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg);
    if (inline) out.push(inline[1] as string);
    else if ((arg === "--conditions" || arg === "-C") && args[i + 1] !== undefined)
      out.push(args[++i] as string);
  }
  return [...new Set(out)];
}
