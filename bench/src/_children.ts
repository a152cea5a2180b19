/**
 * Spawning pinned child processes and making sure every one of them is gone at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const live = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  live.clear();
}

process.once("exit", killAll);

/** `taskset -c <cpu> node [...nodeFlags] --conditions=@portico/source <script> ...args`, stdout piped. */
export function spawnPinned(
  cpu: number,
  script: string,
  args: string[],
  nodeFlags: readonly string[] = [],
): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(
    "taskset",
    ["-c", String(cpu), process.execPath, ...nodeFlags, "--conditions=@portico/source", path, ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Reads a child's stdout as JSON lines, one `next()` at a time; rejects on exit or after `timeoutMs`. */
export function jsonLines(child: ChildProcess, label: string): { next<T>(timeoutMs: number): Promise<T> } {
  let buffered = "";
  let exitCode: number | null | undefined;
  let wake: (() => void) | undefined;
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    wake?.();
  });
  child.once("exit", (code) => {
    exitCode = code;
    wake?.();
  });
  return {
    next<T>(timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          wake = undefined;
          child.kill("SIGKILL");
          reject(new Error(`${label}: no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          const newline = buffered.indexOf("\n");
          if (newline < 0 && exitCode === undefined) return;
          clearTimeout(timer);
          wake = undefined;
          if (newline < 0) {
            reject(new Error(`${label}: exited (${String(exitCode)}) before answering`));
            return;
          }
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          try {
            resolve(JSON.parse(line) as T);
          } catch (error) {
            reject(error);
          }
        };
        wake = check;
        check();
      });
    },
  };
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux only). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** SIGTERM, then SIGKILL if it lingers. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
  await exited;
  clearTimeout(timer);
}
