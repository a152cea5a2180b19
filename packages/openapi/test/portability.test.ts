/** Runs anywhere fetch does: src/ imports only its dependencies and its own files, and no Node API. */
import { expectEdgeSafeSources } from "@portico/test-kit/node";
import { expect, it } from "vitest";

it("src/ imports only @portico/core, @portico/host, yaml, json-schema-ref-parser and its own files; no process, Buffer or require", async () => {
  const files = await expectEdgeSafeSources(new URL("../src/", import.meta.url), [
    "@portico/core",
    "@portico/host",
    "yaml",
    "@apidevtools/json-schema-ref-parser",
  ]);
  expect(files.length).toBeGreaterThan(10);
});
