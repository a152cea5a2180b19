import { readFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import { pathToFileURL } from "node:url";
import type * as esbuild from "esbuild";

/**
 * A bundle lives in `node_modules/.cache/portico/`, but the code in it must see the paths of the
 * files it was written in: `import.meta.url` (`new URL("./data.txt", import.meta.url)`,
 * `createRequire(import.meta.url)`), `import.meta.dirname`, `import.meta.filename`, and in a
 * CommonJS file `__dirname`, `__filename` and `require` of packages.
 *
 * esbuild's `define` replaces each of those expressions (where it is not a variable of the file's
 * own) with a variable that {@link sourcePaths} declares at the top of every local file using one,
 * holding that file's own value. The declarations share the file's first line, so line numbers (and
 * the source map's lines) do not move.
 */
const NAMES = {
  url: "__portico_import_meta_url",
  dirname: "__portico_import_meta_dirname",
  filename: "__portico_import_meta_filename",
} as const;

/** For {@link esbuild.BuildOptions.define}. */
export const SOURCE_PATH_DEFINES: Record<string, string> = {
  "import.meta.url": NAMES.url,
  "import.meta.dirname": NAMES.dirname,
  "import.meta.filename": NAMES.filename,
  __dirname: NAMES.dirname,
  __filename: NAMES.filename,
};

/**
 * For {@link esbuild.BuildOptions.banner}: a `require` for the `require()` calls esbuild leaves to
 * Node (packages, computed names), resolving from the entry as it would in CommonJS. Without it,
 * esbuild's ESM output throws `Dynamic require of "x" is not supported`. (esbuild renames a
 * module's own `require` variable, so this one never clashes.)
 */
export function requireBanner(entryFile: string): string {
  const url = JSON.stringify(pathToFileURL(entryFile).href);
  return `import { createRequire as __porticoCreateRequire } from "node:module"; const require = __porticoCreateRequire(${url});`;
}

const LOADERS: Record<string, esbuild.Loader> = {
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
};

const USES = /\bimport\s*\.\s*meta\b|\b__dirname\b|\b__filename\b/;

/** The esbuild plugin declaring each local file's own paths (packages are not bundled, so not seen). */
export function sourcePaths(): esbuild.Plugin {
  return {
    name: "portico-source-paths",
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/, namespace: "file" }, async (args) => {
        const loader = LOADERS[extname(args.path)];
        if (loader === undefined) return undefined;
        const source = await readFile(args.path, "utf8");
        // esbuild reads the files that need nothing itself.
        if (!USES.test(source)) return undefined;
        const declarations = `var ${NAMES.url} = ${JSON.stringify(pathToFileURL(args.path).href)}, ${NAMES.dirname} = ${JSON.stringify(dirname(args.path))}, ${NAMES.filename} = ${JSON.stringify(args.path)};`;
        // A hashbang must stay first: the declarations go at the start of the next line.
        const newline = source.indexOf("\n");
        const at = !source.startsWith("#!") ? 0 : newline < 0 ? source.length : newline + 1;
        const contents = `${source.slice(0, at)}${declarations}${source.slice(at)}`;
        return { contents, loader, watchFiles: [args.path] };
      });
    },
  };
}
