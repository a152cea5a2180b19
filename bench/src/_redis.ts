/**
 * A redis-server of its own for a bench script (a free 127.0.0.1 port, no persistence, stopped by
 * `stop()`; `scripts/ensure-redis.sh` installs it when missing), and node-redis from store-redis's
 * own dev dependencies (the bench package does not depend on it).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type NodeRedis = {
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): never;
  destroy(): void;
};
const redisEntry = createRequire(join(ROOT, "packages/store-redis/package.json")).resolve("redis");
export const { createClient } = (await import(pathToFileURL(redisEntry).href)) as {
  createClient(options: { url: string }): {
    on(e: "error", f: (e: unknown) => void): { connect(): Promise<NodeRedis> };
  };
};

/** redis-server on a free loopback port, no persistence; `scripts/ensure-redis.sh` if missing. */
export async function startRedis(): Promise<{ port: number; stop(): void }> {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch {
    execFileSync("sh", [join(ROOT, "scripts/ensure-redis.sh")], { stdio: "inherit" });
  }
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const dir = mkdtempSync(join(tmpdir(), "portico-bench-redis-"));
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", [...args, "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let output = "";
    setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000).unref();
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) resolve();
    });
  });
  child.removeAllListeners("exit");
  return {
    port,
    stop: () => {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
