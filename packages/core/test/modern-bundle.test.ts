/**
 * A server built with `createModernHandler` bundles none of the 2025-era code: esbuild bundles a
 * one-tool server each way (from source, as an app's bundler sees it) and the modern one's inputs
 * hold no file of `src/legacy/` and no memory event log, while `createHandler`'s hold both — and the
 * modern bundle is the smaller by at least that code.
 */
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const INDEX = fileURLToPath(new URL("../src/index.ts", import.meta.url));

async function bundle(factory: "createHandler" | "createModernHandler") {
  const contents = `
    import { addTool, ${factory}, McpServer } from ${JSON.stringify(INDEX)};
    const server = new McpServer({ name: "b", version: "1.0.0" });
    addTool(server, "add", { input: { type: "object", properties: { a: { type: "number" } } } }, ({ a }) => String(a));
    export default ${factory}(server);
  `;
  const result = await build({
    stdin: { contents, loader: "ts", resolveDir: fileURLToPath(new URL(".", import.meta.url)) },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    conditions: ["@portico/source"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  // The files whose code reached the output (the metafile's inputs also list the tree-shaken ones).
  const output = Object.values(result.metafile.outputs)[0];
  const inputs = Object.entries(output?.inputs ?? {})
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { inputs, gzipped: gzipSync(code).byteLength };
}

const legacyCode = (inputs: string[]) =>
  inputs.filter((path) => /core\/src\/legacy\/|memory-event-store\.ts$/.test(path));

describe("a 2026-07-28-only bundle", () => {
  it("holds no 2025-era code, which a both-eras bundle holds", async () => {
    const [modern, both] = await Promise.all([bundle("createModernHandler"), bundle("createHandler")]);
    expect(legacyCode(modern.inputs)).toStrictEqual([]);
    expect(legacyCode(both.inputs).length).toBeGreaterThan(8);
    // The legacy era is roughly a fifth of the core; its absence must show in the size.
    expect(modern.gzipped).toBeLessThan(both.gzipped * 0.85);
  }, 30_000);
});
