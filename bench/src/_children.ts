/**
 * Spawning pinned child processes and making sure every one of them is gone at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const live = new Set<ChildProcess>();

export function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  live.clear();
}

process.once("exit", killAll);

/** `taskset -c <cpu> node --conditions=@portico/source <script> ...args`, stdout piped. */
export function spawnPinned(cpu: number, script: string, args: string[]): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(
    "taskset",
    ["-c", String(cpu), process.execPath, "--conditions=@portico/source", path, ...args],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/** Resolves with the first stdout line parsed as JSON; rejects on exit or after `timeoutMs`. */
export function firstJsonLine<T>(child: ChildProcess, timeoutMs: number, label: string): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${label}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${label}: exited (${String(code)}) before answering`));
    };
    child.once("exit", onExit);
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const newline = buffered.indexOf("\n");
      if (newline < 0) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      try {
        resolve(JSON.parse(buffered.slice(0, newline)) as T);
      } catch (error) {
        reject(error);
      }
    });
  });
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
