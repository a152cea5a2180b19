import { readFileSync } from "node:fs";

/** This package's version, from its package.json (one folder above `src/` and `dist/`). */
export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

/** The oldest Node the CLI runs on (its `engines`). */
export const MIN_NODE_MAJOR = 20;

/** One line when this Node is older than the CLI supports, else `undefined`. */
export function nodeTooOld(version: string = process.versions.node): string | undefined {
  const major = Number(version.split(".")[0]);
  if (major >= MIN_NODE_MAJOR) return undefined;
  return `portico needs Node ${MIN_NODE_MAJOR} or newer; this is Node ${version}`;
}
