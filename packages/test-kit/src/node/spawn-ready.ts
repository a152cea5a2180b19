/**
 * A command a user types, started for a test: the process (in its own process group) and the first
 * match of `ready` in its output (stdout and stderr), e.g. the URL it serves on. `stop()` ends the
 * whole group (SIGTERM, then SIGKILL after 5 s), so servers the command started go with it.
 */
import { type ChildProcess, spawn } from "node:child_process";

export interface SpawnReadyOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Longest wait for `ready`. Default 60 s. */
  timeoutMs?: number;
}

export interface ReadyProcess {
  child: ChildProcess;
  /** The match of `ready` (index 1 is its first group). */
  match: RegExpExecArray;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

export async function spawnReady(
  command: string,
  args: readonly string[],
  ready: RegExp,
  options: SpawnReadyOptions = {},
): Promise<ReadyProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const stop = async () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-(child.pid as number), name);
      } catch {}
    };
    signal("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    signal("SIGKILL");
  };
  try {
    const match = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 60_000;
      const timer = setTimeout(
        () => reject(new Error(`${command} ${args.join(" ")}: not ready in ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const found = ready.exec(output);
        if (found !== null) {
          clearTimeout(timer);
          resolve(found);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${command} ${args.join(" ")} exited (${code}):\n${output}`));
      });
    });
    return { child, match, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
