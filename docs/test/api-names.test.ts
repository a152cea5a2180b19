/**
 * The guides name the API as it is: every name a code block of the docs imports from a
 * `@portico/*` package (or one of its subpath exports) is exported by that entry's sources, as
 * TypeScript resolves them. A renamed or removed export makes this fail until the docs follow.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const DOCS = fileURLToPath(new URL("..", import.meta.url));
const PACKAGES = join(DOCS, "..", "packages");
/** Generated or not part of the site. */
const SKIPPED_DIRS = new Set(["node_modules", "api", ".vitepress", "test", "scripts", "public"]);

/** The hand-written Markdown pages of the site. */
function markdownPages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : markdownPages(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

interface Import {
  page: string;
  specifier: string;
  names: string[];
}

/** `import { a, type B, c as d } from "@portico/…"` statements inside the pages' fenced code blocks. */
function importsOf(page: string): Import[] {
  const text = readFileSync(page, "utf8");
  const blocks = [...text.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  return blocks.flatMap((code) =>
    [...code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"(@portico\/[^"]+)"/g)].map((m) => ({
      page: relative(DOCS, page).split(sep).join("/"),
      specifier: m[2] ?? "",
      names: (m[1] ?? "")
        .split(",")
        .map((part) =>
          part
            .trim()
            .replace(/^type\s+/, "")
            .split(/\s+as\s+/)[0]
            ?.trim(),
        )
        .filter((name): name is string => name !== undefined && name !== ""),
    })),
  );
}

/** The source file a `@portico/<dir>[/<sub>]` specifier names, through the package's exports. */
function entryOf(specifier: string): string | undefined {
  const [, dir, ...sub] = specifier.split("/");
  const manifestPath = join(PACKAGES, dir ?? "", "package.json");
  if (!existsSync(manifestPath)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  if (manifest.name !== `@portico/${dir}`) return undefined;
  const key = sub.length === 0 ? "." : `./${sub.join("/")}`;
  const source = manifest.exports?.[key]?.["@portico/source"];
  return typeof source === "string" ? join(PACKAGES, dir ?? "", source) : undefined;
}

describe("the docs' imports", () => {
  const imports = markdownPages(DOCS).flatMap(importsOf);

  it("are found in the guides", () => {
    expect(imports.length).toBeGreaterThan(20);
    expect(new Set(imports.map((i) => i.specifier))).toContain("@portico/core");
  });

  it("name only what the packages export", () => {
    const entries = new Map<string, string>();
    const unknownEntries: string[] = [];
    for (const { page, specifier } of imports) {
      const entry = entryOf(specifier);
      if (entry === undefined) unknownEntries.push(`${page}: ${specifier}`);
      else entries.set(specifier, entry);
    }
    expect(unknownEntries).toEqual([]);

    const program = ts.createProgram([...new Set(entries.values())], {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ["@portico/source"],
      allowImportingTsExtensions: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    });
    const checker = program.getTypeChecker();
    const exportsOf = new Map<string, Set<string>>();
    for (const [specifier, entry] of entries) {
      const file = program.getSourceFile(entry);
      const symbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
      expect(symbol, `${specifier} (${entry})`).toBeDefined();
      exportsOf.set(specifier, new Set(checker.getExportsOfModule(symbol!).map((s) => s.getName())));
    }

    const missing = imports.flatMap(({ page, specifier, names }) =>
      names
        .filter((name) => !exportsOf.get(specifier)?.has(name))
        .map((name) => `${page}: ${name} from ${specifier}`),
    );
    expect(missing).toEqual([]);
  }, 60_000);
});
