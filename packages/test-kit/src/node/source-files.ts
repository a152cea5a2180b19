/// <reference types="node" />
/**
 * A package's source files as code (comments removed) with their import specifiers: what
 * portability tests assert on ("no `node:` import", "no client library", "no `process.`").
 */
import { readdir, readFile } from "node:fs/promises";

/** One source file: its name, its code without comments, and every `from "…"` specifier in it. */
export interface SourceFile {
  file: string;
  code: string;
  imports: string[];
}

/** The `.ts` files directly in `dir` (e.g. `new URL("../src/", import.meta.url)`). */
export async function sourceFiles(dir: URL): Promise<SourceFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".ts")).sort();
  return Promise.all(
    names.map(async (file) => {
      // Code only: comments may mention anything.
      const code = (await readFile(new URL(file, dir), "utf8"))
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const imports = [...code.matchAll(/\bfrom\s+"([^"]+)"/g)].map((match) => match[1] as string);
      return { file, code, imports };
    }),
  );
}

/**
 * Fails unless every `.ts` file directly in `dir` imports only `allowed` packages and its own files
 * (`./…`), and touches no Node global (`process`, `Buffer`, `require`): what "edge-safe" means for a
 * package's sources. Resolves the files it checked.
 */
export async function expectEdgeSafeSources(dir: URL, allowed: readonly string[]): Promise<SourceFile[]> {
  const { expect } = await import("vitest");
  const files = await sourceFiles(dir);
  for (const { file, code, imports } of files) {
    for (const specifier of imports) {
      expect(allowed.includes(specifier) || specifier.startsWith("./"), `${file} imports ${specifier}`).toBe(
        true,
      );
    }
    expect(code, file).not.toMatch(/\b(process|Buffer|require)\s*[.(]/);
  }
  return files;
}
