/**
 * The versions a generated project depends on. `@portico/*` packages share one version (released
 * together), which is this package's own; tools and libraries are the versions the Portico
 * workspace itself builds and tests with (a test keeps them in step with its lockfile).
 */
import { readFileSync } from "node:fs";

/** Libraries, as caret ranges in `dependencies`. */
export const LIBRARY_VERSIONS = {
  valibot: "1.5.0",
  redis: "6.3.1",
} as const;

/** Tools, pinned exactly in `devDependencies`. */
export const TOOL_VERSIONS = {
  typescript: "5.9.3",
  "@types/node": "24.19.2",
  esbuild: "0.28.2",
  "aws-cdk-lib": "2.276.0",
  constructs: "10.8.1",
  vercel: "64.0.2",
  wrangler: "4.164.0",
  "@cloudflare/workers-types": "5.20261117.1",
} as const;

/** The version of the `@portico/*` packages a new project depends on: this package's own. */
export function porticoVersion(): string {
  // ../package.json from src/ (workspace) and from dist/ (published) alike.
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}
