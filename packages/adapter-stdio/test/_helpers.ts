/**
 * Launching the fixture server as a child process, the way an MCP client does, and stopping it
 * whatever happens.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Node 24 from the workspace (the fixture is TypeScript, run from source). */
export const NODE = fileURLToPath(new URL("../../../node_modules/.bin/node", import.meta.url));
export const FIXTURE = fileURLToPath(new URL("./fixture/server.ts", import.meta.url));
export const FIXTURE_ARGS = ["--conditions=@portico/source", FIXTURE];
export const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Resolves with `promise`, or rejects naming `what` after `ms`. */
export function step<T>(what: string, promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** Kills a child's process group if it is still running (tests clean up whatever happened). */
export function killGroup(child: ChildProcess | undefined): void {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}

/** A raw child running the fixture: its stdout lines parsed, its stderr kept as text. */
export interface RawServer {
  child: ChildProcess;
  /** Every stdout line, as it came (to check that each one is JSON). */
  lines: string[];
  stderr(): string;
  send(line: string): void;
  /** The first stdout line not taken yet that `match` accepts (parsed and taken), waiting for it. */
  next(match: (message: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  exited: Promise<Exit>;
}

export function startRaw(env: Record<string, string> = {}): RawServer {
  const child = spawn(NODE, FIXTURE_ARGS, {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffer = "";
  let errText = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    buffer += chunk;
    let index = buffer.indexOf("\n");
    while (index !== -1) {
      lines.push(buffer.slice(0, index));
      buffer = buffer.slice(index + 1);
      index = buffer.indexOf("\n");
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    errText += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = exitOf(child);
  void exited.then(() => {
    for (const wake of waiters.splice(0)) wake();
  });
  const taken = new Set<number>();
  return {
    child,
    lines,
    exited,
    stderr: () => errText,
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
    next(match, what) {
      return step(
        what,
        new Promise((resolve, reject) => {
          const look = () => {
            for (let i = 0; i < lines.length; i++) {
              if (taken.has(i)) continue;
              const message = JSON.parse(lines[i] as string) as Record<string, unknown>;
              if (match(message)) {
                taken.add(i);
                return resolve(message);
              }
            }
            if (child.exitCode !== null || child.signalCode !== null) {
              return reject(new Error(`the server exited before ${what}; stderr: ${errText}`));
            }
            waiters.push(look);
          };
          look();
        }),
      );
    },
  };
}
