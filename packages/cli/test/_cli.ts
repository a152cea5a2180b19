/**
 * Test helpers: run the `portico` CLI from its sources (Node 24 with the @portico/source
 * condition), each in its own process group so a test can stop it and everything it started;
 * temporary copies of the fixture project.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../src/bin.ts", import.meta.url));
export const FIXTURE = fileURLToPath(new URL("./fixture/", import.meta.url));
const CLI_MODULES = fileURLToPath(new URL("../node_modules", import.meta.url));

/** A running CLI: its output so far, and a way to wait for a line. */
export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout + stderr (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Stops the process group (SIGTERM, then SIGKILL after 3 s); resolves once it has exited. */
  stop(): Promise<number | null>;
}

const running = new Set<Running>();

/** Starts `portico <args>`. */
export function start(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const child = spawn(process.execPath, ["--conditions=@portico/source", BIN, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: { ...process.env, ...opts.env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk;
    notify();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    err += chunk;
    notify();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const self: Running = {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = (out + err).match(pattern);
          if (match) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        waiters.add(check);
        void exited.then(() => setTimeout(check, 50));
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-(child.pid as number), "SIGTERM");
        } catch {}
        const timer = setTimeout(() => {
          try {
            process.kill(-(child.pid as number), "SIGKILL");
          } catch {}
        }, 3000);
        await exited;
        clearTimeout(timer);
      }
      running.delete(self);
      return exited;
    },
  };
  running.add(self);
  return self;
}

/** Runs `portico <args>` to its end: exit code and output. */
export async function run(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = start(args, opts);
  cli.child.stdin?.end();
  const timer = setTimeout(() => void cli.stop(), opts.timeoutMs ?? 20_000);
  const code = await cli.exited;
  clearTimeout(timer);
  running.delete(cli);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Stops every CLI still running (for afterAll). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((r) => r.stop()));
}

/** A copy of the fixture project in a temporary folder (its packages from the CLI's node_modules). */
export function tempProject(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "portico-cli-"));
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    '{ "name": "fixture-project", "private": true, "type": "module" }\n',
  );
  symlinkSync(CLI_MODULES, join(dir, "node_modules"), "dir");
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
