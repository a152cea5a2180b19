/**
 * The file through which `vercel dev`'s function processes find the dev daemon (a
 * `serveDevStores` server in a process of its own) and share its token and requestState secret:
 * `<project>/.vercel/portico-dev.json`, mode 0600, published atomically by the daemon.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Bumped when the file or the daemon's protocol changes: a file of another version is stale. */
export const DAEMON_FILE_VERSION = 1;

/** What the daemon publishes. */
export interface DaemonInfo {
  version: typeof DAEMON_FILE_VERSION;
  /** The daemon's process id. */
  pid: number;
  /** The stores' origin on 127.0.0.1. */
  url: string;
  /** Bearer token of the stores' HTTP API. */
  token: string;
  /** The requestState secret every function process shares. */
  secret: string;
  /** The process whose end ends the daemon (the `vercel dev` CLI), or 0 for none. */
  ownerPid: number;
  startedAt: number;
}

/** The paths under the project: the info file, its lock, the daemon's log. */
export function daemonPaths(projectDir: string): { dir: string; file: string; lock: string; log: string } {
  const dir = join(projectDir, ".vercel");
  return {
    dir,
    file: join(dir, "portico-dev.json"),
    lock: join(dir, "portico-dev.lock"),
    log: join(dir, "portico-dev.log"),
  };
}

/** On Linux, whether `pid` has exited but not been reaped yet (a zombie still answers signal 0). */
function isZombie(pid: number): boolean {
  if (process.platform !== "linux") return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}

/** Whether a process with this id runs (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/** The file's content when it is a well-formed file of this version, else `undefined`. */
export function readDaemonInfo(file: string): DaemonInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const info = value as Record<string, unknown>;
  const ok =
    info.version === DAEMON_FILE_VERSION &&
    typeof info.pid === "number" &&
    typeof info.url === "string" &&
    typeof info.token === "string" &&
    typeof info.secret === "string" &&
    typeof info.ownerPid === "number" &&
    typeof info.startedAt === "number";
  return ok ? (info as unknown as DaemonInfo) : undefined;
}

/** A daemon that still runs, and whose owner (when it has one) still runs too. */
export function isLive(info: DaemonInfo): boolean {
  return isAlive(info.pid) && (info.ownerPid === 0 || isAlive(info.ownerPid));
}
