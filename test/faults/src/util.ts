/** Small helpers shared by the fault suite and the soak: ports, waiting, percentiles. */
import type { ChildProcess } from "node:child_process";
import { type AddressInfo, createServer } from "node:net";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port that was free a moment ago (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

const children = new Set<ChildProcess>();
let hooked = false;

/**
 * Remembers a child process so that it is SIGKILLed if this process exits without stopping it
 * (a crashed or interrupted test run leaves no redis-server, dynalite or instance behind).
 */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const c of children) {
        try {
          c.kill("SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  }
  return child;
}

/** True once the process has exited (by code or signal). */
export function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when `child` exits, or after `timeoutMs` with `false`. */
export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

/** Kills with SIGKILL (also a stopped process) and waits for the exit. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (exited(child)) return;
  child.kill("SIGKILL");
  await waitExit(child, 5_000);
}

/** The `p`-th percentile (0–100) of `values` by nearest rank; `undefined` for none. */
export function percentile(values: number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

/** `YYYY-MM-DD` of `date` (UTC), the prefix of every results file. */
export function isoDate(date = new Date()): string {
  return date.toISOString().slice(0, 10);
}

/** Keeps the last `max` lines written to a child's stream (for failure messages). */
export function tailOf(max: number): { push(chunk: Buffer | string): void; text(): string } {
  const lines: string[] = [];
  let partial = "";
  return {
    push(chunk) {
      const parts = (partial + chunk.toString()).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      if (lines.length > max) lines.splice(0, lines.length - max);
    },
    text: () => [...lines, partial].filter((line) => line !== "").join("\n"),
  };
}
