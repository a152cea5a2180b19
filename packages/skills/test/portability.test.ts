/**
 * Edge-safe: the main entry (src/, but src/node/) imports only `@portico/core`, `yaml` and its own
 * files and touches no Node global; only `@portico/skills/node` (src/node/) uses Node.
 */
import { expectEdgeSafeSources, sourceFiles } from "@portico/test-kit/node";
import { expect, it } from "vitest";

it("src/ imports only @portico/core, yaml and its own files, with no node: import or Node global", async () => {
  const files = await expectEdgeSafeSources(new URL("../src/", import.meta.url), ["@portico/core", "yaml"]);
  expect(files.length).toBeGreaterThanOrEqual(10);
  for (const { file, imports } of files) {
    for (const specifier of imports)
      expect(specifier.startsWith("node:"), `${file}: ${specifier}`).toBe(false);
    expect(
      imports.some((s) => s.startsWith("./node/")),
      file,
    ).toBe(false);
  }
});

it("the node entry is where Node is used", async () => {
  const files = await sourceFiles(new URL("../src/node/", import.meta.url));
  expect(files.flatMap((f) => f.imports)).toContain("node:fs/promises");
});
