/**
 * Bundled entries keep their own paths: `import.meta.url`, `.dirname`, `.filename` (and so
 * `new URL("./x", import.meta.url)` and `createRequire(import.meta.url)`) in the entry and in each
 * local file it imports are those of the source file, not of the bundle in node_modules/.cache.
 */
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "./_cli.ts";

const ENTRIES = new URL("./entries/", import.meta.url).pathname;

describe("import.meta in a bundled entry", () => {
  it("is the source file's, in the entry and in a local import", async () => {
    const entry = `${ENTRIES}source-paths.ts`;
    const nested = `${ENTRIES}source-paths/nested.ts`;
    const { code, stdout, stderr } = await run(["call", entry, "paths"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      url: pathToFileURL(entry).href,
      dirname: ENTRIES.slice(0, -1),
      filename: entry,
      greeting: "hello from beside the entry",
      fromDirname: "hello from beside the entry",
      required: { read: "through createRequire(import.meta.url)" },
      nested: { url: pathToFileURL(nested).href, dirname: `${ENTRIES}source-paths`, filename: nested },
    });
  });
});
