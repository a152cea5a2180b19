import { rmSync } from "node:fs";
import type { Stores } from "@portico/core";
import { isTimerMs, timerRange } from "@portico/host";
import { type DaemonInfo, daemonPaths, isAlive, readDaemonInfo } from "./_daemon-file.ts";
import { ensureDevDaemon } from "./_daemon-start.ts";
import { reconnecting } from "./_reconnecting.ts";
import { devStores } from "./dev-stores.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether this process is a function run by `vercel dev`: the CLI marks its own environment
 * (`__VERCEL_DEV_RUNNING=1`, checked with Vercel CLI 64), which every function process inherits.
 * Never true on Vercel itself, and never when `VERCEL_ENV` says `production` or `preview`.
 */
export function isVercelDev(env: Env = process.env): boolean {
  return env.__VERCEL_DEV_RUNNING === "1" && env.VERCEL_ENV !== "production" && env.VERCEL_ENV !== "preview";
}

/** Options of {@link vercelDevDefaults}. */
export interface VercelDevDefaultsOptions {
  /** The environment to check with {@link isVercelDev}. Default: `process.env`. */
  env?: Env;
  /** The project directory; the daemon's file is `<projectDir>/.vercel/portico-dev.json`. Default: `process.cwd()` (vercel dev runs functions there). */
  projectDir?: string;
  /**
   * The daemon exits after this long without a store call or open subscription. Default 30 min;
   * 1 to 2^31−1 ms (about 24.8 days), else `vercelDevDefaults` throws a `RangeError`, under
   * `vercel dev` or not.
   */
  idleMs?: number;
  /** Told once per daemon, by the process that starts it. Default: one `console.warn` line. */
  onNotice?: (message: string) => void;
}

/** What {@link vercelDevDefaults} gives a handler under `vercel dev`: spread it into `createHandler`'s options. */
export interface VercelDevDefaults {
  /** Memory stores held by the project's dev daemon, shared by every function process. */
  stores: Stores;
  /** A requestState secret shared by every function process (the daemon's, random per daemon). */
  secret: string;
}

const NOTICE =
  "vercel dev runs a fresh process per request: legacy sessions and modern requestState are shared " +
  "through a local dev daemon";

/**
 * Under `vercel dev` ({@link isVercelDev}), the stores and requestState secret that let its fresh
 * process per request serve both MCP eras; anywhere else `undefined`, so production is unchanged.
 *
 * The first function process starts the project's dev daemon (memory stores behind
 * `serveDevStores` on 127.0.0.1, a random bearer token, a random secret) detached, and it
 * publishes all three in `.vercel/portico-dev.json` (mode 0600); the processes after it read that
 * file. Concurrent first requests start one daemon between them. The daemon exits when the
 * `vercel dev` that ran the function ends, when its file is removed ({@link stopVercelDevDaemon}),
 * or after `idleMs`; the next request then starts a new one (sessions and secret are new too).
 * Synchronous (it blocks the first request ~0.2 s while the daemon starts), so a handler can be
 * built at module load. Node.js runtime only. Use it only where nothing else is configured: on
 * Vercel, give durable stores and a `secret` from the environment.
 *
 * ```ts
 * const dev = vercelDevDefaults(); // undefined unless under vercel dev
 * createHandler(server, { stores: redisStores(…) ?? dev?.stores, secret: process.env.REQUEST_STATE_SECRET ?? dev?.secret });
 * ```
 */
export function vercelDevDefaults(options: VercelDevDefaultsOptions = {}): VercelDevDefaults | undefined {
  // Checked everywhere, so that a wrong value shows before the first `vercel dev` run.
  const idleMs = options.idleMs ?? 30 * 60_000;
  if (!isTimerMs(idleMs, 1)) {
    throw new RangeError(`vercelDevDefaults: idleMs must be ${timerRange(1)}, got ${String(idleMs)}`);
  }
  if (!isVercelDev(options.env)) return undefined;
  const projectDir = options.projectDir ?? process.cwd();
  const notice =
    options.onNotice ?? ((message: string) => console.warn(`[@portico/adapter-vercel] ${message}`));
  const ensure = () =>
    ensureDevDaemon({
      projectDir,
      ownerPid: process.ppid > 1 ? process.ppid : 0,
      idleMs,
      onStart: (started, file) =>
        notice(
          `${NOTICE} (pid ${started.pid}, ${started.url}, ${file}; it stops with vercel dev). ` +
            "Deployed, configure durable stores and a secret (REQUEST_STATE_SECRET) instead.",
        ),
    });
  const info = ensure();
  let first: DaemonInfo | undefined = info;
  return {
    stores: reconnecting(() => {
      const live = first ?? ensure();
      first = undefined;
      return devStores(live.url, { token: live.token });
    }),
    secret: info.secret,
  };
}

/**
 * Stops the project's dev daemon, if one runs: removes its file (which ends it within a second),
 * then waits for it to exit, with SIGTERM after 3 s. Resolves `true` if there was one. Deleting
 * `.vercel/portico-dev.json` by hand does the same.
 */
export async function stopVercelDevDaemon(projectDir: string = process.cwd()): Promise<boolean> {
  const { file } = daemonPaths(projectDir);
  const info = readDaemonInfo(file);
  rmSync(file, { force: true });
  if (info === undefined || !isAlive(info.pid)) return false;
  const deadline = Date.now() + 5_000;
  let signalled = false;
  while (isAlive(info.pid) && Date.now() < deadline) {
    if (!signalled && Date.now() > deadline - 2_000) {
      signalled = true;
      process.kill(info.pid, "SIGTERM");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (isAlive(info.pid)) process.kill(info.pid, "SIGKILL");
  return true;
}
