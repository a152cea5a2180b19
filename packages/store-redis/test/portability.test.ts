import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

const src = new URL("../src/", import.meta.url);

describe("portability", () => {
  it("src imports nothing from node:, no Redis library, only @portico/core from outside", async () => {
    const files = (await readdir(src)).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      // Code only: comments may mention anything.
      const code = (await readFile(new URL(file, src), "utf8"))
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const specifiers = [...code.matchAll(/\bfrom\s+"([^"]+)"/g)].map((match) => match[1] as string);
      for (const specifier of specifiers) {
        expect(specifier.startsWith("./") || specifier === "@portico/core", `${file}: ${specifier}`).toBe(
          true,
        );
      }
      expect(code, file).not.toMatch(/\brequire\(|import\(|\bprocess\.|\bBuffer\b/);
    }
  });
});
