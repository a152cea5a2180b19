/**
 * Bundles `src/handler.ts` into one minified ESM file, `dist/handler.mjs`, for both Lambda functions.
 * Run: `pnpm run build` (or `node scripts/bundle.ts [outdir]`).
 */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const packageRoot = fileURLToPath(new URL("..", import.meta.url));
export const defaultOutdir = join(packageRoot, "dist");
export const BUNDLE_FILE = "handler.mjs";

/**
 * An ESM bundle has no `require`; a CommonJS dependency that calls it (even for a Node built-in)
 * would throw "Dynamic require of … is not supported". The banner gives the bundle a real one.
 */
const requireBanner =
  'import { createRequire as __portico_createRequire } from "node:module";\n' +
  "const require = __portico_createRequire(import.meta.url);";

export interface BundleResult {
  outfile: string;
  /** What the bundle still imports at run time (Node built-ins only, when all is well). */
  externalImports: string[];
}

/** Builds the bundle into `outdir` (emptied first, so it holds exactly the one file). */
export async function bundle(outdir: string = defaultOutdir): Promise<BundleResult> {
  const outfile = join(outdir, BUNDLE_FILE);
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: [join(packageRoot, "src", "handler.ts")],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node22",
    format: "esm",
    // Workspace packages resolve to their TypeScript sources, as in tests and typechecking.
    conditions: ["@portico/source"],
    mainFields: ["module", "main"],
    banner: { js: requireBanner },
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
  });
  const output = Object.entries(result.metafile.outputs).find(([path]) => resolve(path) === outfile);
  const externalImports = (output?.[1].imports ?? []).filter((i) => i.external).map((i) => i.path);
  return { outfile, externalImports: [...new Set(externalImports)].toSorted() };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { outfile } = await bundle(process.argv[2] ? resolve(process.argv[2]) : defaultOutdir);
  console.log(`Bundled ${outfile}`);
}
