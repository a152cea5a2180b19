/** Runs anywhere fetch does: src/ imports only its dependencies and its own files, and no Node API. */
import { sourceFiles } from "@portico/test-kit/node";
import { expect, it } from "vitest";

const ALLOWED = new Set(["@portico/core", "yaml", "@apidevtools/json-schema-ref-parser"]);

it("src/ imports only @portico/core, yaml, json-schema-ref-parser and its own files; no process, Buffer or require", async () => {
  const files = await sourceFiles(new URL("../src/", import.meta.url));
  expect(files.length).toBeGreaterThan(10);
  for (const { file, code, imports } of files) {
    for (const specifier of imports) {
      expect(ALLOWED.has(specifier) || specifier.startsWith("./"), `${file} imports ${specifier}`).toBe(true);
    }
    expect(code, file).not.toMatch(/\b(process|Buffer|require)\s*[.(]/);
    expect(code, file).not.toMatch(/from\s+"node:/);
  }
});
