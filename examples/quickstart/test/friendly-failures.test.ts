/**
 * The quickstart fails in one line that says what to do: a busy port gives no stack.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
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
