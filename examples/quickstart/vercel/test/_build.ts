/**
 * `vercel build`, offline: `.vercel/project.json` with `settings` keeps the CLI off Vercel's API,
 * VERCEL_INSTALL_COMPLETED=1 skips its `pnpm install` (the workspace is installed), `--standalone`
 * puts every dependency inside the function, and `--output` keeps the output out of the repo.
 * The workspace packages are traced through their `dist/`, so this needs `pnpm build` first.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectDir } from "./_vercel-dev.ts";

const run = promisify(execFile);
const workspace = join(projectDir, "..", "..", "..");
const built = ["core", "adapter-vercel"].every((pkg) =>
  existsSync(join(workspace, "packages", pkg, "dist", "index.js")),
);
const projectJson = join(projectDir, ".vercel", "project.json");
/** Where `vercel build` notes the installed packages (JSON that `biome check .` would lint). */
const packageManifest = join(projectDir, ".vercel", "node");
const FUNCTION = "functions/api/mcp.func";

function vercelCli(): string {
  const manifest = createRequire(join(projectDir, "package.json")).resolve("vercel/package.json");
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: Record<string, string> };
  return join(dirname(manifest), bin.vercel as string);
}

/** Imports the built handler in a plain Node process and sends it one modern tools/call. */
const CALL_BUILT = `
const { POST } = await import(process.argv[1]);
const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
const response = await POST(new Request("http://127.0.0.1/api/mcp", {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream",
    "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "add" },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 20, b: 22 }, _meta: meta } }),
}));
console.log(JSON.stringify({ status: response.status, body: await response.json() }));
`;

export function describeBuild(): void {
  describe.skipIf(!built)("vercel build --standalone, offline (after `pnpm build`)", () => {
    let out = "";
    let wroteProjectJson = false;
    let wroteManifest = false;

    beforeAll(async () => {
      out = mkdtempSync(join(tmpdir(), "portico-vercel-build-"));
      if (!existsSync(projectJson)) {
        mkdirSync(dirname(projectJson), { recursive: true });
        const settings = { framework: null, devCommand: null, installCommand: null, buildCommand: null };
        writeFileSync(
          projectJson,
          JSON.stringify({ projectId: "prj_portico_example", orgId: "team_portico_example", settings }),
        );
        wroteProjectJson = true;
      }
      wroteManifest = !existsSync(packageManifest);
      await run(process.execPath, [vercelCli(), "build", "--yes", "--standalone", "--output", out], {
        cwd: projectDir,
        env: { ...process.env, VERCEL_INSTALL_COMPLETED: "1", VERCEL_TELEMETRY_DISABLED: "1" },
      });
    }, 120_000);

    afterAll(() => {
      if (wroteProjectJson) rmSync(projectJson);
      if (wroteManifest) rmSync(packageManifest, { recursive: true, force: true });
      if (out) rmSync(out, { recursive: true, force: true });
    });

    it("writes one Node.js function with vercel.json's limits", () => {
      const config = JSON.parse(readFileSync(join(out, FUNCTION, ".vc-config.json"), "utf8"));
      expect(config).toMatchObject({
        runtime: "nodejs24.x",
        launcherType: "Nodejs",
        handler: "examples/quickstart/vercel/api/mcp.js",
        maxDuration: 60,
        supportsCancellation: true,
      });
      const routes = JSON.parse(readFileSync(join(out, "config.json"), "utf8")).routes as { src?: string }[];
      expect(routes.some((route) => route.src?.includes("/mcp"))).toBe(true);
    });

    it("serves none of the sources as static files", () => {
      expect(existsSync(join(out, "static", "src"))).toBe(false);
      expect(existsSync(join(out, "static", "scripts"))).toBe(false);
    });

    it("runs: the built function answers a tools/call in a plain Node process", async () => {
      const handler = join(out, FUNCTION, "examples/quickstart/vercel/api/mcp.js");
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", CALL_BUILT, handler], {
        env: { PATH: process.env.PATH ?? "" },
      });
      // The answer, and the request's JSON line (@portico/observe, bundled into the function).
      const lines = stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.find((line) => line.msg === "mcp request")).toMatchObject({
        method: "tools/call",
        target: "add",
        outcome: "ok",
      });
      expect(lines.find((line) => "status" in line && "body" in line)).toMatchObject({
        status: 200,
        body: { result: { structuredContent: { sum: 42 }, resultType: "complete" } },
      });
    });
  });
}
