import { readdir, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

const src = new URL("../src/", import.meta.url);

describe("portability", () => {
  it("src imports nothing from node: and only @portico/core from outside the package", async () => {
    const files = (await readdir(src)).filter((name) => name.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      // Code only: comments may mention `process.env` and `node:` freely.
      const text = (await readFile(new URL(file, src), "utf8"))
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const specifiers = [...text.matchAll(/\bfrom\s+"([^"]+)"/g)].map((match) => match[1]!);
      for (const specifier of specifiers) {
        expect(specifier.startsWith("./") || specifier === "@portico/core", `${file}: ${specifier}`).toBe(
          true,
        );
      }
      expect(text, file).not.toMatch(/\brequire\(|import\(/);
      if (file !== "_env.ts") expect(text, file).not.toMatch(/\bprocess\./);
    }
  });
});
