// Brings every publishable package's manifest into its published shape, or checks it (--check):
// a LICENSE beside it, `engines`, `license`, `types`, and `publishConfig.exports` — the exports
// without the workspace-only `@portico/source` condition (whose ./src files are not shipped), which
// `pnpm pack`/`pnpm publish` put in place of `exports` (and turn `workspace:^` ranges into real ones).
// `repository` (with each package's `directory`) comes from REPOSITORY below; `--release` (run before
// publishing) refuses while it is unset, so that nothing is published without it.
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The project's public git repository (e.g. "https://github.com/<owner>/portico.git"). None exists
 * yet, and a made-up one would publish a wrong link: set it here once there is one.
 */
const REPOSITORY = undefined;

const root = new URL("..", import.meta.url).pathname;
const release = process.argv.includes("--release");
const check = release || process.argv.includes("--check");
const license = readFileSync(join(root, "LICENSE"), "utf8");
const problems = [];

/** `exports` with every `@portico/source` condition taken out. */
function published(exports) {
  if (typeof exports !== "object" || exports === null) return exports;
  return Object.fromEntries(
    Object.entries(exports)
      .filter(([key]) => key !== "@portico/source")
      .map(([key, value]) => [key, published(value)]),
  );
}

for (const dir of readdirSync(join(root, "packages"))) {
  const file = join(root, "packages", dir, "package.json");
  if (!existsSync(file)) continue;
  const text = readFileSync(file, "utf8");
  const manifest = JSON.parse(text);
  if (manifest.private) continue;
  const want = {
    ...manifest,
    license: "MIT",
    engines: { node: ">=20" },
    types: manifest.exports?.["."]?.types ?? manifest.types,
    ...(REPOSITORY === undefined
      ? {}
      : { repository: { type: "git", url: REPOSITORY, directory: `packages/${dir}` } }),
    publishConfig: { ...manifest.publishConfig, access: "public", exports: published(manifest.exports) },
  };
  const next = `${JSON.stringify(want, null, 2)}\n`;
  const licenseFile = join(root, "packages", dir, "LICENSE");
  if (check) {
    if (next !== text) problems.push(`packages/${dir}/package.json is not in its published shape`);
    if (!existsSync(licenseFile) || readFileSync(licenseFile, "utf8") !== license)
      problems.push(`packages/${dir}/LICENSE is missing or differs from ./LICENSE`);
  } else {
    writeFileSync(file, next);
    copyFileSync(join(root, "LICENSE"), licenseFile);
  }
}
if (problems.length > 0) problems.push("run: node scripts/manifests.mjs");
if (release && REPOSITORY === undefined) {
  problems.push("REPOSITORY is not set in scripts/manifests.mjs: a release needs the public repository URL");
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
