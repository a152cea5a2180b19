/**
 * Finds the dev daemon of a project, or starts it: synchronously, so that a function can build
 * its handler (which needs the secret) at module load. Concurrent first requests race safely: one
 * process wins the exclusive-create lock and starts the daemon, the others wait for its file.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type DaemonInfo, daemonPaths, isAlive, isLive, readDaemonInfo } from "./_daemon-file.ts";

/** Options of {@link ensureDevDaemon}. */
export interface EnsureDaemonOptions {
  /** The project directory (its `.vercel/` holds the daemon's file). */
  projectDir: string;
  /** The process whose end ends the daemon (the `vercel dev` CLI); 0 for none. */
  ownerPid: number;
  /** The daemon exits after this long without activity. */
  idleMs: number;
  /** Longest wait for a daemon (being) started by this or another process. Default 10 s. */
  timeoutMs?: number;
  /** Told once, by the process that starts a daemon. */
  onStart?: (info: DaemonInfo, file: string) => void;
}

const cell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread for `ms` (the caller is synchronous by design). */
const sleep = (ms: number): void => {
  Atomics.wait(cell, 0, 0, ms);
};

/** The daemon's entry: next to this module, `.ts` in the sources, `.js` in `dist/`. */
function daemonEntry(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith(".ts") ? "./dev-daemon.ts" : "./dev-daemon.js", here));
}

/** Creates the lock file if nobody holds it; true when this process now holds it. */
function tryLock(lock: string): boolean {
  let fd: number;
  try {
    fd = openSync(lock, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  writeSync(fd, JSON.stringify({ pid: process.pid, at: Date.now() }));
  closeSync(fd);
  return true;
}

/** Removes a lock whose holder is gone or that is older than `maxAgeMs` (a holder that hung). */
function breakStaleLock(lock: string, maxAgeMs: number): void {
  let holder: number | undefined;
  let age: number;
  try {
    age = Date.now() - statSync(lock).mtimeMs;
    holder = (JSON.parse(readFileSync(lock, "utf8")) as { pid?: number }).pid;
  } catch {
    return; // gone already, or being written: look again later
  }
  if (age > maxAgeMs || (holder !== undefined && !isAlive(holder))) rmSync(lock, { force: true });
}

/** The last lines the daemon wrote to its log, for an error message. */
function logTail(log: string): string {
  try {
    return readFileSync(log, "utf8").trim().split("\n").slice(-5).join("\n");
  } catch {
    return "";
  }
}

/** Starts the daemon detached (its own process group, so stopping vercel dev's group spares it). */
function startDaemon(options: EnsureDaemonOptions, file: string, log: string): void {
  const logFd = openSync(log, "w", 0o600);
  try {
    const args = [daemonEntry(), "--file", file, "--owner", String(options.ownerPid)];
    args.push("--idle-ms", String(options.idleMs));
    const child = spawn(process.execPath, args, {
      cwd: options.projectDir,
      detached: true,
      stdio: ["ignore", "ignore", logFd],
    });
    child.unref();
  } finally {
    closeSync(logFd);
  }
}

/**
 * The live daemon of `options.projectDir`, started by this process if none runs (or the one there
 * is stale: its process or its owner gone, or another version's file). Throws, in one sentence,
 * if none is up within `timeoutMs`.
 */
export function ensureDevDaemon(options: EnsureDaemonOptions): DaemonInfo {
  const { dir, file, lock, log } = daemonPaths(options.projectDir);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  mkdirSync(dir, { recursive: true });
  let locked = false;
  let started = false;
  try {
    for (;;) {
      const info = readDaemonInfo(file);
      if (info !== undefined && isLive(info)) {
        if (started) options.onStart?.(info, file);
        return info;
      }
      if (started) {
        if (/\bfatal\b/.test(logTail(log))) break;
      } else if (!locked && tryLock(lock)) {
        locked = true;
        const again = readDaemonInfo(file); // published while this process took the lock?
        if (again === undefined || !isLive(again)) {
          rmSync(file, { force: true }); // stale: a daemon still watching it exits
          startDaemon(options, file, log);
          started = true;
        }
        continue;
      } else if (!locked) {
        breakStaleLock(lock, timeoutMs);
      }
      if (Date.now() > deadline) break;
      sleep(25);
    }
  } finally {
    if (locked) rmSync(lock, { force: true });
  }
  const tail = logTail(log);
  throw new Error(
    `the Portico dev daemon did not start within ${timeoutMs} ms (${log}${tail ? `: ${tail}` : ""})`,
  );
}
