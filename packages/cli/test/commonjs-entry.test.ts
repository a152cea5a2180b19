/**
 * A CommonJS entry (`require`, `module.exports`, a `.js` file in a project without
 * `"type": "module"`) is served: packages are required from the entry's project, local files are
 * bundled, `__dirname` and `__filename` are each file's own.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "./_cli.ts";

const CLI_MODULES = fileURLToPath(new URL("../node_modules", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "portico-cli-cjs-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("a CommonJS entry", () => {
  it("is served, with require of packages and local files, __dirname and __filename", async () => {
    writeFileSync(join(project, "package.json"), '{ "name": "cjs-project", "private": true }\n');
    symlinkSync(CLI_MODULES, join(project, "node_modules"), "dir");
    mkdirSync(join(project, "src", "lib"), { recursive: true });
    writeFileSync(
      join(project, "src", "lib", "where.js"),
      "module.exports = { dirname: __dirname, filename: __filename };\n",
    );
    writeFileSync(
      join(project, "src", "tools.js"),
      [
        'const { addTool, McpServer } = require("@portico/core");',
        'const where = require("./lib/where.js");',
        'const server = new McpServer({ name: "cjs", version: "1.0.0" });',
        'addTool(server, "where", {}, () => JSON.stringify({ dirname: __dirname, filename: __filename, lib: where }));',
        "module.exports = server;",
        "",
      ].join("\n"),
    );
    const { code, stdout, stderr } = await run(["call", "src/tools.js", "where"], { cwd: project });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      dirname: join(project, "src"),
      filename: join(project, "src", "tools.js"),
      lib: { dirname: join(project, "src", "lib"), filename: join(project, "src", "lib", "where.js") },
    });
  });
});
