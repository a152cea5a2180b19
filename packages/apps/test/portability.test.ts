/** Edge-safe: the package imports only `@portico/core` and its own files, and touches no Node global. */
import { expectEdgeSafeSources } from "@portico/test-kit/node";
import { expect, it } from "vitest";

it("src/ imports only @portico/core and its own files, and uses no process, Buffer or require", async () => {
  const files = await expectEdgeSafeSources(new URL("../src/", import.meta.url), ["@portico/core"]);
  expect(files.map((f) => f.file)).toContain("index.ts");
  expect(files.length).toBeGreaterThanOrEqual(6);
});
