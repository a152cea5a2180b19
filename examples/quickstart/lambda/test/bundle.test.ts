/**
 * Builds the deployable bundle and checks it is one self-contained ESM file. Needs the adapter and
 * the store sources; skipped until both packages exist.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { BUNDLE_FILE, bundle } from "../scripts/bundle.ts";
import { packageRoot } from "./_templates.ts";

const workspace = join(packageRoot, "..", "..", "..");
const dependenciesReady =
  existsSync(join(workspace, "packages/adapter-lambda/src/index.ts")) &&
  existsSync(join(workspace, "packages/store-dynamodb/src/index.ts"));

const outdir = mkdtempSync(join(tmpdir(), "portico-quickstart-lambda-bundle-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("the Lambda bundle", () => {
  it.skipIf(!dependenciesReady)(
    "is one minified ESM file that Node loads with nothing external",
    async () => {
      const { outfile: file, externalImports } = await bundle(outdir);
      expect(readdirSync(outdir)).toEqual([BUNDLE_FILE]);
      expect(file).toBe(join(outdir, BUNDLE_FILE));
      // Only Node built-ins stay imports: everything else is inside the file.
      expect(externalImports.filter((path) => !isBuiltin(path))).toEqual([]);

      const code = readFileSync(file, "utf8");
      expect(code.startsWith('import { createRequire as __portico_createRequire } from "node:module";')).toBe(
        true,
      );
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(code).toMatch(/export\s*\{[^}]*\bstreamHandler\b/);
      expect(code).not.toContain("module.exports");
      // The MCP App's HTML (a string module, imported lazily) is inside the one file.
      expect(code).toContain("ui://portico-quickstart/sales-chart.html");
      expect(code).toContain("portico-sales-chart");

      // Node links the module (an unresolvable import would fail here) and runs it up to the
      // configuration check, which names the missing variables: the bundle is loadable as is.
      const run = spawnSync(
        process.execPath,
        ["--input-type=module", "-e", `await import(${JSON.stringify(pathToFileURL(file).href)})`],
        { env: { PATH: process.env.PATH ?? "" }, encoding: "utf8", timeout: 20_000 },
      );
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain("Missing environment variable(s): TABLE_NAME, SECRET_ARN, AWS_REGION");
    },
  );
});
