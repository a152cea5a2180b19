/**
 * A fresh npm project from the tarballs: its `@portico/*` ranges rewritten to `file:` specs of the
 * packed packages (and the same specs as `overrides`, so transitive `@portico/*` dependencies such
 * as `@portico/host` resolve to tarballs too, never to the registry), installed and run with npm.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileSpecs, type Packed, ROOT } from "./pack.ts";

const execFileAsync = promisify(execFile);

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  overrides?: Record<string, string>;
}

/**
 * This registry mirror lacks sandbox@4.4.0, which vercel@64 depends on (see
 * /work/shared/tooling-notes.md); the workspace overrides it the same way.
 */
const MIRROR_OVERRIDES: Record<string, Record<string, string>> = { vercel: { sandbox: "4.5.0" } };

/** Rewrites `dir/package.json` to install `@portico/*` from `packed`; returns what it replaced. */
export function useTarballs(dir: string, packed: readonly Packed[]): Record<string, string> {
  const file = join(dir, "package.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as Manifest;
  const specs = fileSpecs(packed);
  const replaced: Record<string, string> = {};
  for (const field of ["dependencies", "devDependencies"] as const) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!name.startsWith("@portico/")) continue;
      const spec = specs[name];
      if (spec === undefined) throw new Error(`${name} is not a packed package`);
      replaced[name] = range;
      (manifest[field] as Record<string, string>)[name] = spec;
    }
  }
  const overrides: Record<string, string> = { ...manifest.overrides, ...specs };
  for (const [tool, extra] of Object.entries(MIRROR_OVERRIDES)) {
    if (manifest.devDependencies?.[tool] !== undefined) Object.assign(overrides, extra);
  }
  manifest.overrides = overrides;
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return replaced;
}

/** Telemetry and update checks off for the tools a project runs. */
export const QUIET_ENV: Record<string, string> = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  VERCEL_TELEMETRY_DISABLED: "1",
  CDK_DISABLE_VERSION_CHECK: "true",
  CDK_DISABLE_CLI_TELEMETRY: "true",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};

export interface Ran {
  stdout: string;
  stderr: string;
  ms: number;
}

interface RunOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs `file args` in `cwd`; a failure's error names it `command` and carries both outputs. */
async function run(
  command: string,
  file: string,
  args: string[],
  cwd: string,
  options: RunOptions,
): Promise<Ran> {
  const started = performance.now();
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      cwd,
      encoding: "utf8",
      timeout: options.timeoutMs ?? 240_000,
      killSignal: "SIGKILL",
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, ...QUIET_ENV, ...options.env },
    });
    return { stdout, stderr, ms: performance.now() - started };
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} in ${cwd} failed:\n${stdout ?? ""}\n${stderr ?? ""}`.slice(-6000));
  }
}

/** Runs `npm <args>` in `cwd`; a failure's error carries both outputs. */
export function npm(cwd: string, args: string[], options: RunOptions = {}): Promise<Ran> {
  return run(`npm ${args.join(" ")}`, "npm", args, cwd, options);
}

/** `npm install` from the shared cache, preferring what it already holds. */
export function npmInstall(cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return npm(cwd, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    env,
    timeoutMs: 400_000,
  });
}

/**
 * The same for pnpm: `@portico/*` ranges rewritten to `file:` specs, and the specs as `overrides`
 * in `pnpm-workspace.yaml` (where pnpm reads them), after what the project already has there.
 */
export function useTarballsWithPnpm(dir: string, packed: readonly Packed[]): void {
  const manifest = join(dir, "package.json");
  useTarballs(dir, packed);
  const { overrides, ...rest } = JSON.parse(readFileSync(manifest, "utf8")) as Manifest;
  writeFileSync(manifest, `${JSON.stringify(rest, null, 2)}\n`);
  const workspace = join(dir, "pnpm-workspace.yaml");
  const before = existsSync(workspace) ? readFileSync(workspace, "utf8") : "";
  const lines = Object.entries(overrides ?? {}).map(([name, spec]) => `  "${name}": "${spec}"`);
  writeFileSync(workspace, `${before}overrides:\n${lines.join("\n")}\n`);
}

/** Runs the workspace's pnpm (scripts/pnpm.sh) in `cwd`, as {@link npm} runs npm. */
export function pnpm(cwd: string, args: string[], options: RunOptions = {}): Promise<Ran> {
  return run(`pnpm ${args.join(" ")}`, "sh", [join(ROOT, "scripts", "pnpm.sh"), ...args], cwd, options);
}
