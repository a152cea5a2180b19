/**
 * `portico-lambda-dev` fails in one line that says what to do (no stack): a module that is not
 * there, a module without the export, a port that is no port, a busy port; and it serves a handler.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../bin/portico-lambda-dev.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "portico-lambda-dev-cli-"));
const MODULE = join(dir, "handler.mjs");
writeFileSync(MODULE, 'export const handler = async () => ({ statusCode: 200, body: "ok" });\n');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI until it exits (or prints its URL, then stops it); its exit code and output. */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ["--conditions=@portico/source", BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk;
    if (stdout.includes("/mcp")) child.kill("SIGTERM");
  });
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr, stdout })));
}

describe("portico-lambda-dev", () => {
  it("serves a handler and prints its URL", async () => {
    const { stdout } = await run([MODULE, "--port", "0"]);
    expect(stdout).toMatch(/^Lambda handler handler \(v2 events\) at http:\/\/127\.0\.0\.1:\d+\/mcp$/m);
  });

  it("says in one line that the module is not there", async () => {
    const missing = join(dir, "nope.mjs");
    const { code, stderr } = await run([missing]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toStrictEqual([
      `portico-lambda-dev: cannot find ${missing} (looked at ${missing})`,
    ]);
  });

  it("says in one line that the export is missing, or the port is no port", async () => {
    const noExport = await run([MODULE, "--export", "main"]);
    expect(noExport.code).toBe(2);
    expect(noExport.stderr.trim().split("\n")).toStrictEqual([
      `portico-lambda-dev: ${MODULE} has no exported function "main" (choose one with --export)`,
    ]);
    const badPort = await run([MODULE, "--port", "http"]);
    expect(badPort.code).toBe(2);
    expect(badPort.stderr.trim()).toBe(
      'portico-lambda-dev: --port "http" is not a port: give an integer from 0 to 65535',
    );
  });

  it("says in one line that the timeout is no timeout a timer can wait", async () => {
    for (const bad of ["3e9", "abc", "0"]) {
      const { code, stderr } = await run([MODULE, "--port", "0", "--timeout", bad]);
      expect(code, bad).toBe(2);
      expect(stderr.trim().split("\n")).toStrictEqual([
        `portico-lambda-dev: --timeout ${JSON.stringify(bad)} is not a timeout: give a number of ms from 1 to 2147483647 (about 24.8 days)`,
      ]);
    }
  });

  it("says in one line that PORT is no port, quoting it", async () => {
    for (const text of ["abc", "3000x"]) {
      const { code, stderr } = await run([MODULE], { PORT: text });
      expect(code).toBe(1);
      expect(stderr.trim().split("\n")).toStrictEqual([
        `portico-lambda-dev: invalid PORT ${JSON.stringify(text)}: give an integer from 0 to 65535 (0 picks a free one)`,
      ]);
    }
  });

  it("says in one line that the port is busy", async () => {
    const squatter = createServer(() => {});
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      const { code, stderr } = await run([MODULE, "--port", String(port)]);
      expect(code).toBe(1);
      expect(stderr.trim().split("\n")).toStrictEqual([
        `portico-lambda-dev: cannot listen on 127.0.0.1:${port}: the port is already in use. Stop what listens there, or choose another port (PORT=… or --port N)`,
      ]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
