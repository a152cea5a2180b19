/** Edge-safe: the guards import only `@portico/core` and each other, and touch no Node global. */
import { sourceFiles } from "@portico/test-kit/node";
import { expect, it } from "vitest";

it("src/ imports only @portico/core and its own files, and uses no process, Buffer or require", async () => {
  const files = await sourceFiles(new URL("../src/", import.meta.url));
  expect(files.length).toBeGreaterThan(5);
  for (const { file, code, imports } of files) {
    for (const specifier of imports) {
      expect(
        specifier === "@portico/core" || specifier.startsWith("./"),
        `${file} imports ${specifier}`,
      ).toBe(true);
    }
    expect(code, file).not.toMatch(/\b(process|Buffer|require)\s*[.(]/);
  }
});
