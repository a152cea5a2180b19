/**
 * `BENCH_BASELINE=<git ref>`: the old code measured beside the new in the same run. The ref is
 * checked out into a temporary `git worktree` (detached), installed from the pnpm store (offline
 * first) and its Portico packages are loaded from there by absolute path: the old core, the old
 * Node adapter and the old Lambda adapter, so the old and the new core never share a module graph.
 * The worktree is removed at the end, on failure and on SIGINT/SIGTERM too.
 *
 * The old packages are loaded the way the new ones are measured: from source, through the
 * `@portico/source` entry of their exports (the bench runs Node with that condition, which strips
 * the types, and esbuild bundles the Lambda entries with it), so no build is needed and a difference
 * comes from the code, not from a build step. Every commit of the repository has those entries; a
 * ref without them is refused.
 *
 * Imports only node builtins: the baseline's server child and Lambda entry must not pull in the
 * new core through this module.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The ref to compare with, or undefined when no baseline was asked for. */
export const BASELINE_REF = process.env.BENCH_BASELINE?.trim() || undefined;

/** The target name of the old code: `portico@<ref>`. */
export type BaselineName = `portico@${string}`;

export function isBaseline(target: string): target is BaselineName {
  return target.startsWith("portico@");
}

/** Absolute paths of the old packages' entry modules. */
export interface BaselineModules {
  core: string;
  adapterNode: string;
  adapterLambda: string;
}

export interface Baseline {
  ref: string;
  /** The full commit the ref resolved to. */
  commit: string;
  name: BaselineName;
  /** The worktree. */
  dir: string;
  modules: BaselineModules;
  /** Removes the worktree and its temporary folder; safe to call more than once. */
  remove(): void;
}

/** `-vs-<ref>` for result file names (before `-quick`/`-partial`, which .gitignore matches at the end). */
export function baselineSuffix(baseline: Baseline | undefined): string {
  return baseline === undefined ? "" : `-vs-${baseline.ref.replace(/[^\w.-]/g, "_")}`;
}

const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES: Record<keyof BaselineModules, string> = {
  core: "@portico/core",
  adapterNode: "@portico/adapter-node",
  adapterLambda: "@portico/adapter-lambda",
};

/** The environment without what the outer `pnpm bench` set for its own script (npm_*, pnpm_*, PNPM_*). */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(npm|pnpm)_/i.test(key) || key === "NODE_PATH" || key === "INIT_CWD") delete env[key];
  }
  return env;
}

/** Runs a command and returns its stdout; on failure the error carries the tail of its output. */
function run(command: string, args: string[], cwd: string, timeoutMs = 600_000): string {
  try {
    return execFileSync(command, args, {
      cwd,
      env: childEnv(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutMs,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
    throw new Error(`${command} ${args.join(" ")} (in ${cwd}) failed: ${e.message}\n${output}`);
  }
}

/** The `@portico/source` entry of a package's `exports["."]`, as an absolute path. */
function sourceEntry(pkgDir: string): string | undefined {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as {
    exports?: Record<string, unknown>;
  };
  const root = pkg.exports?.["."];
  const source =
    root !== null && typeof root === "object"
      ? (root as Record<string, unknown>)["@portico/source"]
      : undefined;
  return typeof source === "string" ? join(pkgDir, source) : undefined;
}

/** Finds the old packages in the worktree by name (folders may move between refs). */
function resolveModules(dir: string): BaselineModules {
  const byName = new Map<string, string>();
  const packagesDir = join(dir, "packages");
  for (const folder of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, folder, "package.json");
    if (!existsSync(manifest)) continue;
    const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
    if (name !== undefined) byName.set(name, join(packagesDir, folder));
  }
  const modules = {} as BaselineModules;
  for (const [key, name] of Object.entries(PACKAGES) as [keyof BaselineModules, string][]) {
    const pkgDir = byName.get(name);
    if (pkgDir === undefined) throw new Error(`baseline: no ${name} package in ${packagesDir}`);
    const entry = sourceEntry(pkgDir);
    if (entry === undefined || !existsSync(entry)) {
      throw new Error(`baseline: ${name} in ${pkgDir} has no "@portico/source" entry in its exports`);
    }
    modules[key] = entry;
  }
  return modules;
}

/**
 * Checks out `ref` into a temporary worktree, installs it and resolves its packages' source
 * entries. The caller must call `remove()` (an exit or a signal removes it as well).
 */
export function prepareBaseline(ref: string, log: (line: string) => void): Baseline {
  const root = run("git", ["rev-parse", "--show-toplevel"], BENCH_DIR).trim();
  const commit = run("git", ["rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`], root).trim();
  const tmp = mkdtempSync(join(tmpdir(), "portico-baseline-"));
  const dir = join(tmp, "repo");
  let added = false;
  let removed = false;
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  function remove(): void {
    if (removed) return;
    removed = true;
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", remove);
    if (added) {
      try {
        run("git", ["worktree", "remove", "--force", dir], root, 60_000);
      } catch (error) {
        process.stderr.write(
          `baseline: could not remove the worktree ${dir} (${(error as Error).message.split("\n")[0]}); ` +
            "after deleting the folder, `git worktree prune` drops its entry\n",
        );
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  process.once("exit", remove);
  try {
    const started = Date.now();
    run("git", ["worktree", "add", "--detach", dir, commit], root, 120_000);
    added = true;
    log(`baseline ${ref} (${commit.slice(0, 12)}): worktree at ${dir}`);
    // The worktree has no node_modules yet, so its own scripts/pnpm.sh would fetch pnpm through
    // npx: this tree's pinned pnpm installs it (from the worktree's lockfile).
    const pnpm = join(root, "scripts", "pnpm.sh");
    try {
      run("sh", [pnpm, "install", "--frozen-lockfile", "--offline"], dir);
    } catch (error) {
      log(`baseline: offline install failed (${(error as Error).message.split("\n")[0]}); retrying online`);
      run("sh", [pnpm, "install", "--frozen-lockfile"], dir);
    }
    const modules = resolveModules(dir);
    log(
      `baseline ${ref}: installed in ${Math.round((Date.now() - started) / 1000)} s; ` +
        "its core and adapters load from their @portico/source entries",
    );
    return { ref, commit, name: `portico@${ref}`, dir, modules, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
