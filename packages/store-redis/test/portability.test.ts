import { sourceFiles } from "@portico/test-kit/node";
import { describe, expect, it } from "vitest";

describe("portability", () => {
  it("src imports nothing from node:, no Redis library, only @portico/core from outside", async () => {
    const files = await sourceFiles(new URL("../src/", import.meta.url));
    expect(files.length).toBeGreaterThan(8);
    for (const { file, code, imports } of files) {
      for (const specifier of imports) {
        expect(specifier.startsWith("./") || specifier === "@portico/core", `${file}: ${specifier}`).toBe(
          true,
        );
      }
      expect(code, file).not.toMatch(/\brequire\(|import\(|\bprocess\.|\bBuffer\b/);
    }
  });
});
