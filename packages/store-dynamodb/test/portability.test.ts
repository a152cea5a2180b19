import { sourceFiles } from "@portico/test-kit/node";
import { describe, expect, it } from "vitest";

describe("portability", () => {
  it("src imports nothing from node: and only @portico/core and @portico/host (portable, WebCrypto SigV4) from outside the package", async () => {
    const files = await sourceFiles(new URL("../src/", import.meta.url));
    expect(files.length).toBeGreaterThan(5);
    for (const { file, code, imports } of files) {
      for (const specifier of imports) {
        expect(
          specifier.startsWith("./") || specifier === "@portico/core" || specifier === "@portico/host",
          `${file}: ${specifier}`,
        ).toBe(true);
      }
      expect(code, file).not.toMatch(/\brequire\(|import\(/);
      if (file !== "_env.ts") expect(code, file).not.toMatch(/\bprocess\./);
    }
  });
});
