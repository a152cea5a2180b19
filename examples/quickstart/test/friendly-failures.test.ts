/**
 * The quickstart fails in one line that says what to do: a busy port gives no stack, and setting
 * up on a Node.js older than 20 says which one to install.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ENTRY = fileURLToPath(new URL("../src/node.ts", import.meta.url));

it("says in one line that the port is busy, and exits 1", async () => {
  const squatter = createServer(() => {});
  await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
  const { port } = squatter.address() as AddressInfo;
  try {
    const child = spawn(process.execPath, ["--conditions=@portico/source", ENTRY], {
      env: { ...process.env, PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toStrictEqual([
      `Portico quickstart: cannot listen on 127.0.0.1:${port}: the port is already in use. Stop what listens there, or choose another port (PORT=… or serve(app, { port }))`,
    ]);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

it("refuses to set up on Node.js older than 20, in one line naming the version found", () => {
  // A checkout before `npm run setup` (no node_modules), on a machine whose `node` is 18.
  const root = mkdtempSync(join(tmpdir(), "portico-old-node-"));
  try {
    mkdirSync(join(root, "scripts"));
    mkdirSync(join(root, "bin"));
    copyFileSync(
      fileURLToPath(new URL("../../../scripts/pnpm.sh", import.meta.url)),
      join(root, "scripts", "pnpm.sh"),
    );
    const fakeNode = join(root, "bin", "node");
    writeFileSync(fakeNode, '#!/bin/sh\ncase "$1" in --version) echo v18.19.0;; *) echo 18;; esac\n');
    chmodSync(fakeNode, 0o755);
    const run = spawnSync("sh", [join(root, "scripts", "pnpm.sh"), "install"], {
      env: { PATH: `${join(root, "bin")}:/usr/bin:/bin`, HOME: root },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toStrictEqual([
      "Portico needs Node.js 20 or newer to set up (found v18.19.0): install Node 20+ from https://nodejs.org and run this again; the workspace then brings its own Node 24.",
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
