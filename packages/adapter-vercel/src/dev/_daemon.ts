/**
 * The dev daemon: `serveDevStores` in a process of its own, which `vercel dev`'s function
 * processes share (see `vercelDevDefaults`). It publishes its address, bearer token and a fresh
 * requestState secret in the info file, and exits — removing the file if it is still its own —
 * when the file is removed or replaced, when its owner (the `vercel dev` CLI) ends, after
 * `idleMs` without a request or an open subscription, and on SIGTERM, SIGINT or SIGHUP.
 */
import { randomBytes } from "node:crypto";
import { linkSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { DAEMON_FILE_VERSION, type DaemonInfo, isAlive, isLive, readDaemonInfo } from "./_daemon-file.ts";
import { serveDevStores } from "./serve-dev-stores.ts";

/** Options of {@link runDevDaemon}. */
export interface DaemonOptions {
  /** The info file to publish (`<project>/.vercel/portico-dev.json`). */
  file: string;
  /** Exit once this process is gone; 0: no owner. */
  ownerPid: number;
  /** Exit after this long without activity. */
  idleMs: number;
  /** How often the file, the owner and the idle time are checked. Default 1 s. */
  checkMs?: number;
}

const log = (text: string): void => {
  process.stderr.write(`[portico-dev-daemon ${process.pid}] ${text}\n`);
};

/**
 * Publishes `info` at `file` only if no live daemon has: written to a temporary file first, then
 * hard-linked into place (which fails when the name exists), so readers never see half a file and
 * two daemons never both win. Returns false when another live daemon holds the file.
 */
function publish(file: string, info: DaemonInfo): boolean {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(info), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(temporary, file);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const existing = readDaemonInfo(file);
        if (existing !== undefined && isLive(existing)) return false;
        rmSync(file, { force: true }); // a stale file: its daemon or its owner is gone
      }
    }
    return false;
  } finally {
    unlinkSync(temporary);
  }
}

/** Runs the daemon until one of its exit conditions; resolves once it is listening and published. */
export async function runDevDaemon(options: DaemonOptions): Promise<void> {
  const server = await serveDevStores();
  const info: DaemonInfo = {
    version: DAEMON_FILE_VERSION,
    pid: process.pid,
    url: server.url,
    token: server.token,
    secret: randomBytes(32).toString("hex"),
    ownerPid: options.ownerPid,
    startedAt: Date.now(),
  };
  if (!publish(options.file, info)) {
    log("another dev daemon is running; exiting");
    await server.close();
    process.exit(0);
  }
  log(`serving ${server.url} (${options.file})`);

  let stopping = false;
  const stop = async (reason: string, removeFile: boolean): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    log(`exiting: ${reason}`);
    if (removeFile && readDaemonInfo(options.file)?.token === info.token) {
      rmSync(options.file, { force: true });
    }
    await server.close();
    process.exit(0);
  };
  const timer = setInterval(() => {
    if (readDaemonInfo(options.file)?.token !== info.token) void stop("its file was removed", false);
    else if (options.ownerPid !== 0 && !isAlive(options.ownerPid)) {
      void stop(`its owner (pid ${options.ownerPid}) ended`, true);
    } else if (Date.now() - server.lastActivity() > options.idleMs) {
      void stop(`idle for ${Math.round(options.idleMs / 1000)} s`, true);
    }
  }, options.checkMs ?? 1_000);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.once(signal, () => void stop(signal, true));
  }
}
