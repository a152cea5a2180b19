import { sourceFiles } from "@portico/test-kit/node";
import { describe, expect, it } from "vitest";

describe("portability", () => {
  // @portico/host is portable too: it reaches Node's modules only through process.getBuiltinModule
  // where that is real Node (fillRandom), never by import.
  it("src imports nothing from node:, no Redis library, only @portico/core and @portico/host from outside", async () => {
    const files = await sourceFiles(new URL("../src/", import.meta.url));
    expect(files.length).toBeGreaterThan(8);
    for (const { file, code, imports } of files) {
      for (const specifier of imports) {
        expect(
          specifier.startsWith("./") || specifier === "@portico/core" || specifier === "@portico/host",
          `${file}: ${specifier}`,
        ).toBe(true);
      }
      expect(code, file).not.toMatch(/\brequire\(|import\(|\bprocess\.|\bBuffer\b/);
    }
  });
});
