/**
 * Packing and installing as a user outside the repository: every publishable package of
 * `packages/` packed by `pnpm pack` (workspace ranges become real ones, `publishConfig.exports`
 * replaces the workspace-only source condition), and fresh npm projects pointed at the tarballs.
 * Shared by the pack-and-install test and the create-portico test.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const PNPM = join(ROOT, "scripts", "pnpm.sh");
const execFileAsync = promisify(execFile);

/** One packed package. */
export interface Packed {
  /** The package directory's name under `packages/`. */
  dir: string;
  name: string;
  version: string;
  /** Absolute path of its `.tgz`. */
  tarball: string;
}

/** The publishable (non-private) packages of `packages/`, minus the directories in `skip`. */
export function publishable(skip: ReadonlySet<string> = new Set()): Omit<Packed, "tarball">[] {
  const out: Omit<Packed, "tarball">[] = [];
  for (const dir of readdirSync(join(ROOT, "packages")).toSorted()) {
    const file = join(ROOT, "packages", dir, "package.json");
    if (skip.has(dir) || !existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8")) as {
      name: string;
      version: string;
      private?: boolean;
    };
    if (manifest.private) continue;
    out.push({ dir, name: manifest.name, version: manifest.version });
  }
  return out;
}

/** `pnpm pack`'s file name: `@scope/name` → `scope-name-<version>.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/** Packs every publishable package (but `skip`) into `destination`, a few at a time. */
export async function packAll(destination: string, skip: ReadonlySet<string> = new Set()): Promise<Packed[]> {
  const queue = publishable(skip);
  const packed: Packed[] = [];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      await execFileAsync("sh", [PNPM, "pack", "--pack-destination", destination], {
        cwd: join(ROOT, "packages", next.dir),
        timeout: 120_000,
      });
      const tarball = join(destination, tarballName(next.name, next.version));
      if (!existsSync(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
      packed.push({ ...next, tarball });
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return packed.toSorted((a, b) => (a.dir < b.dir ? -1 : 1));
}

/** The version of `name` the workspace resolves (first in pnpm-lock.yaml), so a fresh project gets the same one. */
export function workspaceVersion(name: string): string {
  const lock = readFileSync(join(ROOT, "pnpm-lock.yaml"), "utf8");
  const match = new RegExp(`\\n {2}'?${name.replace("/", "\\/")}@(\\d[^(:'\\s]*)`).exec(lock);
  if (match?.[1] === undefined) throw new Error(`no ${name} in pnpm-lock.yaml`);
  return match[1];
}

/** Every version of `name` in pnpm-lock.yaml. */
export function workspaceVersions(name: string): string[] {
  const lock = readFileSync(join(ROOT, "pnpm-lock.yaml"), "utf8");
  const pattern = new RegExp(`\\n {2}'?${name.replace("/", "\\/")}@(\\d[^(:'\\s]*)`, "g");
  return [...new Set([...lock.matchAll(pattern)].map((m) => m[1] as string))];
}

/** The executable of `bin` in package `name`, as the workspace package `from` has it installed. */
export function workspaceBin(from: string, name: string, bin: string): string {
  const manifest = createRequire(join(ROOT, from, "package.json")).resolve(`${name}/package.json`);
  const { bin: bins } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
  return join(manifest, "..", bins[bin] as string);
}

/**
 * `file:` specs for the tarballs, to put in a project's `dependencies` (for the packages it names)
 * and its `overrides` (for all), so that no `@portico/*` range resolves to the registry.
 */
export function fileSpecs(packed: readonly Packed[]): Record<string, string> {
  return Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
}
