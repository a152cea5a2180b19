import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { isTimerMs, timerRange } from "@portico/host";
import { daemonPaths, readDaemonInfo } from "./_daemon-file.ts";
import { type DevStoresServer, serveDevStores } from "./serve-dev-stores.ts";
import { stopVercelDevDaemon } from "./vercel-dev-defaults.ts";

/** Options of {@link startVercelDev}. */
export interface StartVercelDevOptions {
  /** The Vercel project directory (the one with `api/` and `vercel.json`). */
  cwd: string;
  /** Default 0: a free port. Always on 127.0.0.1. */
  port?: number;
  /** Extra environment for the CLI and the functions (on top of `process.env`). */
  env?: Record<string, string>;
  /**
   * Share one set of memory stores between all function processes (see `serveDevStores`), held in
   * this process; the functions find its URL in `PORTICO_DEV_STORES_URL` and its token in
   * `PORTICO_DEV_STORES_TOKEN`. Default `true`. With `false`, functions that call
   * `vercelDevDefaults()` start the project's dev daemon themselves, as under a plain `vercel dev`.
   */
  devStores?: boolean;
  /**
   * Node's on-disk compile cache (`NODE_COMPILE_CACHE`) for the CLI and every function process it
   * starts: a fresh process per request otherwise compiles the CLI's function runtime (TypeScript
   * included) and the function's modules again each time. Default: a folder in the OS temp dir,
   * unless `env` or `process.env` already sets `NODE_COMPILE_CACHE`; `false` does not set it.
   */
  compileCache?: string | false;
  /** The Vercel CLI's entry file. Default: `vercel` resolved from `cwd`. */
  cli?: string;
  /** Receives the CLI's output (stdout and stderr). Default: dropped. */
  onOutput?: (text: string) => void;
  /**
   * Longest wait for "Ready!". Default 60 s; 1 to 2^31−1 ms (about 24.8 days, the longest a timer
   * waits), else `startVercelDev` rejects with a `RangeError` before starting anything.
   */
  timeoutMs?: number;
}

export interface VercelDev {
  /** The dev server's origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The dev stores' URL, when started. */
  storesUrl?: string;
  /** The dev stores' bearer token, when started. */
  storesToken?: string;
  /**
   * Stops the CLI and every function process it started (its process group), then the stores, and
   * the project's dev daemon if this CLI owned it (`vercelDevDefaults`).
   */
  stop(): Promise<void>;
}

/** The `vercel` CLI's entry file as installed for `cwd`. */
function vercelCli(cwd: string): string {
  const require = createRequire(join(resolve(cwd), "package.json"));
  const manifest = require.resolve("vercel/package.json");
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
  return join(dirname(manifest), bin.vercel ?? "dist/vc.js");
}

/** Signals the process group `pid` leads; false once no process of it is left. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to the whole group (the CLI and its function processes), then SIGKILL to whatever is
 * left after a grace period: a function process waits for its open connections and `waitUntil`
 * work (up to its max duration) before it exits on its own.
 */
async function stopGroup(pid: number, leaderGone: Promise<void>): Promise<void> {
  if (!signalGroup(pid, "SIGTERM")) return;
  const graceEnds = Date.now() + 3_000;
  await Promise.race([leaderGone, sleep(3_000)]);
  while (signalGroup(pid, 0) && Date.now() < graceEnds) await sleep(50);
  signalGroup(pid, "SIGKILL");
  await leaderGone;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once("exit", () => done()));
}

/**
 * Runs `vercel dev --local --listen 127.0.0.1:<port> --yes` in `cwd` (no login, no linked
 * project, telemetry off) in a process group of its own, and resolves once it is ready. vercel
 * dev runs every request in a fresh function process, so by default it also starts dev stores and
 * hands their URL and token to the functions as `PORTICO_DEV_STORES_URL` and
 * `PORTICO_DEV_STORES_TOKEN`: legacy-era sessions, event logs and the bus then span requests, as
 * durable stores do in production. (Without it, `vercelDevDefaults` does the same from inside the
 * functions, as under a plain `vercel dev`.)
 */
export async function startVercelDev(options: StartVercelDevOptions): Promise<VercelDev> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!isTimerMs(timeoutMs, 1)) {
    throw new RangeError(`startVercelDev: timeoutMs must be ${timerRange(1)}, got ${String(timeoutMs)}`);
  }
  const stores: DevStoresServer | undefined =
    options.devStores === false ? undefined : await serveDevStores();
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, VERCEL_TELEMETRY_DISABLED: "1" };
  if (stores) {
    env.PORTICO_DEV_STORES_URL = stores.url;
    env.PORTICO_DEV_STORES_TOKEN = stores.token;
  }
  if (options.compileCache !== false && !env.NODE_COMPILE_CACHE) {
    env.NODE_COMPILE_CACHE = options.compileCache ?? join(tmpdir(), "portico-vercel-dev-compile-cache");
  }
  const args = [
    options.cli ?? vercelCli(options.cwd),
    "dev",
    "--local",
    "--yes",
    "--listen",
    `127.0.0.1:${options.port ?? 0}`,
  ];
  // Its helper servers (queues, schedules, runtime cache) on free ports too, so instances coexist.
  if (options.port === undefined || options.port === 0) {
    args.push("--queue-port", "0", "--schedules-port", "0", "--runtime-cache-port", "0");
  }
  const child = spawn(process.execPath, args, {
    cwd: options.cwd,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const gone = exited(child);
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined) await stopGroup(child.pid, gone);
    await stores?.close();
    // A daemon the functions started (vercelDevDefaults) ends with its owner within a second;
    // stop it now, so that nothing outlives this call.
    const daemon = readDaemonInfo(daemonPaths(options.cwd).file);
    if (daemon !== undefined && daemon.ownerPid === child.pid) await stopVercelDevDaemon(options.cwd);
  };

  let output = "";
  try {
    const url = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`vercel dev was not ready after ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString("utf8");
        options.onOutput?.(text);
        output += text;
        const match = /Ready! Available at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          child.stdout?.off("data", onData);
          child.stderr?.off("data", onData);
          ready(match[1]);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("error", fail);
      void gone.then(() => {
        clearTimeout(timer);
        fail(new Error(`vercel dev exited before it was ready:\n${output}`));
      });
    });
    // Keep draining the pipes so the CLI never blocks on a full one.
    const forward = (chunk: Buffer): void => options.onOutput?.(chunk.toString("utf8"));
    child.stdout?.on("data", forward);
    child.stderr?.on("data", forward);
    const started: VercelDev = { url, stop };
    if (stores) {
      started.storesUrl = stores.url;
      started.storesToken = stores.token;
    }
    return started;
  } catch (error) {
    await stop();
    throw error;
  }
}
