/**
 * Runs a fixture script in a real Bun: the `bun` binary of this platform's `@oven/bun-*` package
 * (installed with the `bun` devDependency), or `BUN_BINARY` when set.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** The path of a real Bun binary, or a clear error. */
export function bunBinary(): string {
  const fromEnv = process.env.BUN_BINARY;
  if (fromEnv) return fromEnv;
  const require = createRequire(join(here, "..", "package.json"));
  // bun's own bin/bun.exe is a stub until its postinstall runs; the platform package holds the binary.
  const bunPackage = require.resolve("bun/package.json");
  const arch = process.arch === "arm64" ? "aarch64" : process.arch;
  const platform = `@oven/bun-${process.platform}-${arch}`;
  const manifest = createRequire(bunPackage).resolve(`${platform}/package.json`);
  const binary = join(dirname(manifest), "bin", process.platform === "win32" ? "bun.exe" : "bun");
  if (!existsSync(binary)) throw new Error(`no Bun binary at ${binary}; set BUN_BINARY`);
  return binary;
}

export interface BunProcess {
  /** What the fixture printed as its first line: `{"url": "http://127.0.0.1:PORT", "bun": "1.x.y"}`. */
  url: string;
  /** `Bun.version` as the fixture reported it: proof that it runs in Bun. */
  version: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `test/fixtures/<script>` in Bun (with the workspace's source condition) and waits for its URL. */
export async function startBun(script: string, timeoutMs = 20_000): Promise<BunProcess> {
  const child: ChildProcess = spawn(
    bunBinary(),
    ["--conditions=@portico/source", join(here, "fixtures", script)],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
  const first = await new Promise<{ url: string; bun: string }>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`Bun fixture ${script} did not start in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      return true;
    };
    const fail = (error: Error): void => {
      if (!settle()) return;
      child.kill("SIGKILL");
      reject(new Error(`${error.message}\n${err}`));
    };
    const onData = (): void => {
      if (!out.includes("\n")) return;
      const line = out.split("\n", 1)[0] as string;
      let parsed: { url: string; bun: string };
      try {
        parsed = JSON.parse(line) as { url: string; bun: string };
      } catch {
        fail(new Error(`unexpected first line from ${script}: ${line}`));
        return;
      }
      if (settle()) resolve(parsed);
    };
    child.stdout?.on("data", onData);
    void exited.then((code) => fail(new Error(`Bun fixture ${script} exited with ${String(code)}`)));
  });
  return {
    url: first.url,
    version: first.bun,
    output: () => out,
    exited,
    async stop(graceMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
