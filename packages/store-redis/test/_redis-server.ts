/**
 * A throw-away redis-server on 127.0.0.1 for the tests: a free port, no persistence, a temporary
 * directory; `stop()` kills it and removes the directory. When `redis-server` is not on PATH,
 * the repository's `scripts/ensure-redis.sh` installs it first (Debian package).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ENSURE = fileURLToPath(new URL("../../../scripts/ensure-redis.sh", import.meta.url));

export interface RedisServer {
  port: number;
  url: string;
  /** Stops the process (SIGKILL: nothing to flush) and removes its directory. */
  stop(): Promise<void>;
}

let ensured = false;

/** Runs the ensure script once per process unless `redis-server` is already on PATH. */
export function ensureRedisServer(): void {
  if (ensured) return;
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch {
    execFileSync("sh", [ENSURE], { stdio: ["ignore", "inherit", "inherit"] });
  }
  ensured = true;
}

/** A port that was free a moment ago (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function launch(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
      "--loglevel",
      "notice",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`redis-server did not start:\n${output}`)), 10_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`redis-server exited (${code}):\n${output}`)));
  });
}

/** Starts redis-server on a free loopback port (retrying if the port was taken meanwhile). */
export async function startRedisServer(): Promise<RedisServer> {
  ensureRedisServer();
  const dir = mkdtempSync(join(tmpdir(), "portico-redis-"));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let child: ChildProcess;
    try {
      child = await launch(port, dir);
    } catch (error) {
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    child.removeAllListeners("exit");
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: () =>
        new Promise<void>((resolve) => {
          const done = () => {
            rmSync(dir, { recursive: true, force: true });
            resolve();
          };
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once("exit", done);
          child.kill("SIGKILL");
        }),
    };
  }
}
