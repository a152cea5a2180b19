/**
 * `bundleWorker(config)`: the exact script `wrangler deploy` would upload, built with
 * `wrangler deploy --dry-run --outdir` (offline, no account needed) — to measure it and to check
 * what it contains. Node only.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { QUIET_WRANGLER_ENV, removeEmptyBuildDirectory, wranglerConfigHome } from "./_wrangler.ts";

/** Options of {@link bundleWorker}. */
export interface BundleWorkerOptions {
  /** `wrangler deploy --minify`. Default `false`, like `wrangler deploy`. */
  minify?: boolean;
  /** Package export conditions for bundling (wrangler's `WRANGLER_BUILD_CONDITIONS`). */
  conditions?: string[];
}

export interface WorkerBundle {
  /** The main module's source. */
  code: string;
  /** Its size in bytes, and gzipped (what the Workers script size limits count). */
  bytes: number;
  gzipBytes: number;
  /** The other files wrangler wrote next to it (source maps, extra modules). */
  otherFiles: string[];
  /** The wrangler that built it. */
  wranglerVersion: string;
}

const run = promisify(execFile);

/** Bundles the Worker of the wrangler configuration file `config` as `wrangler deploy` would. */
export async function bundleWorker(config: string, options: BundleWorkerOptions = {}): Promise<WorkerBundle> {
  const out = await mkdtemp(join(tmpdir(), "portico-wrangler-bundle-"));
  try {
    const wrangler = resolveWrangler();
    const args = [wrangler.bin, "deploy", "--dry-run", "--outdir", out, "--config", config];
    if (options.minify) args.push("--minify");
    const env: Record<string, string | undefined> = {
      ...process.env,
      ...QUIET_WRANGLER_ENV,
      XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME ?? wranglerConfigHome(),
    };
    if (options.conditions) env.WRANGLER_BUILD_CONDITIONS = options.conditions.join(",");
    await run(process.execPath, args, { cwd: dirname(config), env, maxBuffer: 16 * 1024 * 1024 });
    const files = await readdir(out);
    const main = files.find((file) => /\.(m?js)$/.test(file) && !file.endsWith(".map"));
    if (main === undefined) throw new Error(`wrangler wrote no script to ${out}: ${files.join(", ")}`);
    const code = await readFile(join(out, main), "utf8");
    const bytes = Buffer.byteLength(code);
    return {
      code,
      bytes,
      gzipBytes: gzipSync(code).byteLength,
      otherFiles: files.filter((f) => f !== main),
      wranglerVersion: wrangler.version,
    };
  } finally {
    await rm(out, { recursive: true, force: true });
    await removeEmptyBuildDirectory(config);
  }
}

/** The CLI script and version of the wrangler package this module resolves. */
function resolveWrangler(): { bin: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("wrangler/package.json");
  const pkg = require(manifest) as { bin: Record<string, string>; version: string };
  return { bin: join(dirname(manifest), pkg.bin.wrangler as string), version: pkg.version };
}
