/**
 * Edge-safe: the main entry imports only `@portico/core`, `@portico/host` and its own files, and touches no Node
 * global; only the `@portico/proxy/stdio` entry (src/stdio.ts) uses Node, and the main entry never
 * reaches it.
 */
import { type SourceFile, sourceFiles } from "@portico/test-kit/node";
import { expect, it } from "vitest";

const NODE_ONLY = ["stdio.ts"];

it("src/ (but the stdio entry) imports only @portico/core, @portico/host and its own files, and uses no process, Buffer or require", async () => {
  const files = (await sourceFiles(new URL("../src/", import.meta.url))).filter(
    (f) => !NODE_ONLY.includes(f.file),
  );
  expect(files.length).toBeGreaterThanOrEqual(4);
  for (const { file, code, imports } of files) {
    for (const specifier of imports) {
      expect(
        specifier === "@portico/core" || specifier === "@portico/host" || specifier.startsWith("./"),
        `${file} imports ${specifier}`,
      ).toBe(true);
    }
    expect(code, file).not.toMatch(/\b(process|Buffer|require)\s*[.(]/);
  }
});

it("the main entry reaches no node: import and not the stdio entry", async () => {
  const files = new Map<string, SourceFile>();
  for (const f of await sourceFiles(new URL("../src/", import.meta.url))) files.set(f.file, f);
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    reached.add(file);
    const source = files.get(file);
    expect(source, `${file} exists`).toBeDefined();
    for (const specifier of source?.imports ?? []) {
      expect(specifier.startsWith("node:"), `${file} imports ${specifier}`).toBe(false);
      if (specifier.startsWith("./")) visit(specifier.slice(2));
    }
  };
  visit("index.ts");
  expect(reached.has("stdio.ts")).toBe(false);
  expect(reached.has("transport.ts")).toBe(true);
  // The stdio entry is the one that does use Node.
  expect(files.get("stdio.ts")?.imports).toContain("node:child_process");
});
