/**
 * What the user sees when something is wrong: one line saying what to do (no stack), exit code 2
 * for a usage problem or an entry that cannot be served, 1 for a failure at run time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeTooOld } from "../src/_version.ts";
import { FIXTURE, run } from "./_cli.ts";

const CWD = new URL("..", import.meta.url).pathname; // packages/cli
const scratch = mkdtempSync(join(tmpdir(), "portico-cli-failures-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** stderr as lines, without the usage that follows a usage problem. */
function firstLine(stderr: string): string {
  return stderr.split("\n")[0] ?? "";
}

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe("usage", () => {
  it("--version prints the package's version", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    const { code, stdout } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  it("help, and --help of every command, print usage and exit 0", async () => {
    const overview = await run(["help"]);
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^usage: portico <command>/);
    await Promise.all(
      ["dev", "stdio", "inspect", "call"].map(async (command) => {
        const [own, viaHelp] = await Promise.all([run([command, "--help"]), run(["help", command])]);
        expect(own.code, command).toBe(0);
        expect(own.stdout, command).toMatch(new RegExp(`^usage: portico ${command} `));
        expect(viaHelp.stdout, command).toMatch(new RegExp(`^usage: portico ${command} `));
      }),
    );
  }, 60_000);

  it("an unknown command or flag is one line, then the usage, exit 2", async () => {
    const command = await run(["serve", "x.ts"]);
    expect(command.code).toBe(2);
    expect(firstLine(command.stderr)).toBe('portico: unknown command "serve"');
    expect(command.stderr).toContain("usage: portico <command>");

    const flag = await run(["dev", `${FIXTURE}tools.ts`, "--verbose"]);
    expect(flag.code).toBe(2);
    expect(firstLine(flag.stderr)).toBe("portico: unknown option --verbose");
    expect(flag.stderr).toContain("usage: portico dev <entry>");

    const top = await run(["--frobnicate"]);
    expect(top.code).toBe(2);
    expect(firstLine(top.stderr)).toBe('portico: unknown option "--frobnicate"');

    const port = await run(["dev", `${FIXTURE}tools.ts`, "--port", "http"]);
    expect(port.code).toBe(2);
    expect(firstLine(port.stderr)).toBe(
      'portico: --port "http" is not a port: give an integer from 0 to 65535',
    );

    const missingTool = await run(["call", `${FIXTURE}tools.ts`]);
    expect(missingTool.code).toBe(2);
    expect(firstLine(missingTool.stderr)).toBe("portico: call needs a tools module (or URL) and a tool name");
  }, 60_000);

  it("the Node check says in one line which Node is needed", () => {
    expect(nodeTooOld("18.20.4")).toBe("portico needs Node 20 or newer; this is Node 18.20.4");
    expect(nodeTooOld("20.0.0")).toBeUndefined();
    expect(nodeTooOld(process.versions.node)).toBeUndefined();
  });
});

describe("entries that cannot be served", () => {
  it("a missing entry", async () => {
    const { code, stderr } = await run(["dev", "nope/tools.ts", "--port", "0"], { cwd: CWD });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`portico: cannot find nope/tools.ts (looked at ${CWD}nope/tools.ts)`);
  });

  it("a module exporting no server says what to export", async () => {
    const { code, stderr } = await run(["call", "test/entries/no-server.ts", "x"], { cwd: CWD });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "portico: test/entries/no-server.ts exports no MCP server: export default an McpServer (or a function returning one, or a { fetch } handler), or name the export with --export <name>",
    );
  });

  it("several candidate exports: pick one with --export", async () => {
    const { code, stderr } = await run(["call", "test/entries/ambiguous.ts", "x"], { cwd: CWD });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "portico: test/entries/ambiguous.ts has several exports that could be the server (makeOne, makeTwo): export default the one to serve, or pick it with --export <name>",
    );
    const missing = await run(["call", "test/entries/ambiguous.ts", "x", "--export", "makeThree"], {
      cwd: CWD,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'portico: test/entries/ambiguous.ts has no export named "makeThree"; it exports makeOne, makeTwo',
    );
  });

  it("a function returning something else", async () => {
    const { code, stderr } = await run(["call", "test/entries/not-a-server.ts", "x"], { cwd: CWD });
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "portico: test/entries/not-a-server.ts's default export is a function that returned an object (name), not an McpServer or a { fetch } handler: export default an McpServer (or a function returning one, or a { fetch } handler), or name the export with --export <name>",
    );
  });

  it("a module that throws while loading: its message and where, in one line", async () => {
    const { code, stderr } = await run(["dev", "test/entries/throws.ts", "--port", "0"], { cwd: CWD });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      "portico: test/entries/throws.ts threw while loading: the module is not configured (test/entries/throws.ts:5)",
    );
  });

  it("a syntax error: file:line:column and the message", async () => {
    const file = join(scratch, "syntax.ts");
    writeFileSync(file, "export const server = {;\n");
    const { code, stderr } = await run(["dev", file, "--port", "0"], { cwd: scratch });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('portico: syntax.ts:1:24: Expected identifier but found ";"');
  });

  it("a package the project lacks", async () => {
    const file = join(scratch, "missing.ts");
    writeFileSync(file, 'import { x } from "portico-cli-test-no-such-package";\nexport default x;\n');
    const { code, stderr } = await run(["call", file, "t"], { cwd: scratch });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `portico: ${file} imports portico-cli-test-no-such-package, which is not installed in its project`,
    );
  });
});

describe("the port", () => {
  it("a busy port is one line saying what to do", async () => {
    const squatter = createServer(() => {});
    await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      for (const lambda of [[], ["--lambda"]]) {
        const { code, stderr } = await run(["dev", `${FIXTURE}tools.ts`, "--port", String(port), ...lambda]);
        expect(code).toBe(1);
        noStack(stderr);
        expect(stderr.trim()).toBe(
          `portico: cannot listen on 127.0.0.1:${port}: the port is already in use. Stop what listens there, or choose another port (--port N)`,
        );
      }
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
