/** A child process that prints `{"url": …}` once it serves (the Workers harness), stopped by its pid. */
import { type ChildProcess, spawn } from "node:child_process";

export interface Child {
  url: string;
  /** Everything the child wrote so far (bounded). */
  output(): string;
  /** True while the process runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

const MAX_OUTPUT = 1_000_000;

export function startChild(args: string[], cwd: string, startupMs = 90_000): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    if (output.length < MAX_OUTPUT) output += chunk.toString("utf8");
  };
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (!alive()) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`the child did not start within ${startupMs} ms:\n${output}`)));
    }, startupMs);
    let pending = "";
    const onData = (chunk: Buffer): void => {
      keep(chunk);
      pending += chunk.toString("utf8");
      const line = pending.split("\n").find((l) => l.startsWith('{"url":'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stdout?.on("data", keep);
      const url = (JSON.parse(line) as { url: string }).url.replace(/\/$/, "");
      resolve({ url, output: () => output, alive, stop });
    };
    child.stdout?.on("data", onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the child exited before it served:\n${output}`));
    });
  });
}
