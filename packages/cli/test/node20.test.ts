/**
 * The built CLI on the oldest supported Node (20, which cannot run TypeScript itself): a `.ts`
 * entry is bundled by esbuild and served. Needs the packages built (`pnpm run build`, which
 * `npm test` runs first) and a Node older than 22.18 on this machine (Debian's Node 20 here).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FIXTURE } from "./_cli.ts";

const DIST_BIN = new URL("../dist/bin.js", import.meta.url).pathname;
const PACKAGES = new URL("../../", import.meta.url).pathname;
const built = [
  "cli/dist/bin.js",
  "core/dist/index.js",
  "host/dist/index.js",
  "adapter-node/dist/index.js",
].every((file) => existsSync(PACKAGES + file));

/** A Node from the system (not the workspace's Node 24) that cannot load `.ts` files itself. */
function oldNode(): string | undefined {
  for (const candidate of ["/usr/bin/node", "/usr/local/bin/node", "/bin/node"]) {
    if (!existsSync(candidate)) continue;
    const version = spawnSync(candidate, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
    const [major, minor] = version.split(".").map(Number) as [number, number];
    if (major >= 20 && (major < 22 || (major === 22 && minor < 18))) return candidate;
  }
  return undefined;
}

const node = oldNode();

describe.skipIf(!built || node === undefined)("the built CLI on Node 20", () => {
  it("calls a tool of a TypeScript entry", () => {
    const { status, stdout, stderr } = spawnSync(
      node as string,
      [DIST_BIN, "call", `${FIXTURE}tools.ts`, "add", "--arg", "a=19", "--arg", "b=23"],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toBe("42\n");
  });
});
