// Generates the API reference (docs/api/, gitignored) with TypeDoc and typedoc-plugin-markdown:
// one module per publishable package — every packages/* whose package.json is not private, that
// exports a library (an "." export or a main) from src/index.ts — except the test kit. The list is
// found at build time, so a package added to the workspace appears in the reference without an edit.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Application, Converter, ReflectionKind } from "typedoc";

const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = resolve(DOCS, "..");
const OUT = join(DOCS, "api");
/** Publishable, but documented by its own guide: a test helper, not a library of the runtime. */
const SKIPPED = new Set(["@portico/test-kit"]);

/** @returns {{ name: string; dir: string; entry: string }[]} */
export function apiPackages() {
  const packages = [];
  for (const dir of readdirSync(join(ROOT, "packages")).sort()) {
    const manifestPath = join(ROOT, "packages", dir, "package.json");
    const entry = join(ROOT, "packages", dir, "src", "index.ts");
    if (!existsSync(manifestPath) || !existsSync(entry)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
    if (manifest.private === true || SKIPPED.has(manifest.name)) continue;
    const exportsRoot =
      typeof manifest.exports === "string" ||
      (manifest.exports !== null && typeof manifest.exports === "object" && "." in manifest.exports);
    if (!exportsRoot && manifest.main === undefined) continue; // a command only, no library
    packages.push({ name: manifest.name, dir: join(ROOT, "packages", dir), entry });
  }
  return packages;
}

async function main() {
  const packages = apiPackages();
  if (packages.length === 0) throw new Error("no publishable package with src/index.ts found");
  rmSync(OUT, { recursive: true, force: true });
  const started = Date.now();
  /**
   * TypeDoc's options, typedoc-plugin-markdown's and typedoc-vitepress-theme's (`docsRoot`, `sidebar`).
   * @type {Partial<import("typedoc").TypeDocOptions> & Partial<import("typedoc-plugin-markdown").PluginOptions> & Record<string, unknown>}
   */
  const options = {
    entryPoints: packages.map((p) => p.entry),
    entryPointStrategy: "resolve",
    tsconfig: join(DOCS, "tsconfig.api.json"),
    plugin: ["typedoc-plugin-markdown", "typedoc-vitepress-theme"],
    // One page per package (its members as sections), not one per member: a few dozen pages in
    // all, each a complete reference of its package.
    outputFileStrategy: "modules",
    // Explicit anchors on headings: on a page that holds a whole package, the plugin's own
    // de-duplicated ids ("topiclogread-1") need not match what VitePress makes of the headings.
    useHTMLAnchors: true,
    out: OUT,
    docsRoot: DOCS,
    readme: "none",
    name: "API reference",
    // The packages' own checks (tsc in each package) judge the types; the reference only renders them.
    skipErrorChecking: true,
    excludePrivate: true,
    excludeInternal: true,
    excludeExternals: true,
    githubPages: false,
    hideGenerator: true,
    disableSources: true,
    validation: { notExported: false, invalidLink: true, invalidPath: true },
    logLevel: "Warn",
    sidebar: { autoConfiguration: true, format: "vitepress", pretty: true, collapsed: true },
  };
  const app = await Application.bootstrapWithPlugins(options);
  // TypeDoc names a module by its path from the common folder ("core/src"; with one package, by
  // the file); the reference names it by its package.
  const byPath = new Map(
    packages.flatMap((p) => [
      [`${basename(p.dir)}/src`, p.name],
      [`${basename(p.dir)}/src/index`, p.name],
    ]),
  );
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const modules = context.project.getChildrenByKind(ReflectionKind.Module);
    if (modules.length === 0 && packages.length === 1) context.project.name = packages[0]?.name ?? "";
    for (const module of modules) {
      const name = byPath.get(module.name);
      if (name === undefined) throw new Error(`api: no package for the TypeDoc module ${module.name}`);
      module.name = name;
    }
  });
  const project = await app.convert();
  if (project === undefined) throw new Error("TypeDoc could not convert the packages");
  await app.generateOutputs(project);
  console.log(
    `api: ${packages.length} packages (${packages.map((p) => relative(ROOT, p.dir)).join(", ")}) in ${
      Date.now() - started
    } ms → ${relative(ROOT, OUT)}`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
