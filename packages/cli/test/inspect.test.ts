/**
 * `portico inspect`: the launch it builds for the MCP Inspector (web UI or `--cli`, a URL, the
 * module behind an in-process dev server, or `portico stdio` launched by the Inspector), run through
 * a stand-in launcher that records its arguments; and, when the Inspector is installed (or
 * PORTICO_INSPECTOR points at its launcher), the real Inspector's CLI mode listing and calling tools.
 */
import { afterAll, describe, expect, it } from "vitest";
import { findInspector, inspectorArgs, inspectorLaunch } from "../src/inspect/launch.ts";
import { BIN, FIXTURE, run, stopAll } from "./_cli.ts";

const TOOLS = `${FIXTURE}tools.ts`;
const FAKE = new URL("./fake-inspector.mjs", import.meta.url).pathname;

afterAll(stopAll);

describe("the Inspector's launch", () => {
  it("a URL: the mode flag first, then headers and options, then the URL", () => {
    expect(inspectorArgs({ url: "http://127.0.0.1:3000/mcp" }, false)).toEqual(["http://127.0.0.1:3000/mcp"]);
    expect(
      inspectorArgs({ url: "https://x.example/mcp", headers: { authorization: "Bearer t" } }, true, [
        "--method",
        "tools/list",
      ]),
    ).toEqual([
      "--cli",
      "--header",
      "authorization: Bearer t",
      "--method",
      "tools/list",
      "https://x.example/mcp",
    ]);
    // A path that does not end in /mcp or /sse: the transport is said.
    expect(inspectorArgs({ url: "http://127.0.0.1:3000/api" }, true)).toEqual([
      "--cli",
      "--transport",
      "http",
      "http://127.0.0.1:3000/api",
    ]);
  });

  it("a command: options, then -- and the command", () => {
    expect(
      inspectorArgs({ command: "node", args: ["bin.js", "stdio", "/p/tools.ts"] }, true, ["-q"]),
    ).toEqual(["--cli", "-q", "--", "node", "bin.js", "stdio", "/p/tools.ts"]);
  });

  it("the local launcher on this Node, npx without one, one line on a Node too old for it", () => {
    expect(inspectorLaunch(["--cli"], { installed: "/x/launcher.js", nodeVersion: "24.1.0" })).toEqual({
      command: process.execPath,
      args: ["/x/launcher.js", "--cli"],
    });
    expect(inspectorLaunch(["--cli"], { installed: undefined, nodeVersion: "20.0.0" })).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/inspector@^2", "--cli"],
    });
    expect(inspectorLaunch([], { installed: "/x/launcher.js", nodeVersion: "20.20.2" })).toEqual({
      problem:
        "the MCP Inspector needs Node 22.19.0 or newer (this is 20.20.2): run portico with a newer Node",
    });
  });
});

describe("portico inspect (through a stand-in launcher)", () => {
  const env = { PORTICO_INSPECTOR: FAKE };
  const launched = (stdout: string) => JSON.parse(stdout.trim().split("\n").at(-1) as string);

  it("a URL goes to the Inspector as it is, with --header and the flags after --", async () => {
    const { code, stdout } = await run(
      ["inspect", "https://mcp.example/mcp", "--cli", "--header", "X-Key: 1", "--", "--method", "tools/list"],
      { env: { ...env, FAKE_INSPECTOR_EXIT: "0" } },
    );
    expect(code).toBe(0);
    // The stand-in cannot reach mcp.example: it only records its arguments for a URL it cannot reach.
    expect(launched(stdout).args).toEqual([
      "--cli",
      "--header",
      "X-Key: 1",
      "--method",
      "tools/list",
      "https://mcp.example/mcp",
    ]);
  }, 20_000);

  it("a module is served by a dev server while the Inspector runs; its exit code is portico's", async () => {
    const { code, stdout, stderr } = await run(["inspect", TOOLS], {
      env: { ...env, FAKE_INSPECTOR_EXIT: "3" },
    });
    expect(code).toBe(3);
    const { args, server } = launched(stdout);
    expect(args).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/)]);
    expect(server).toBe("cli-fixture");
    expect(stderr).toMatch(
      /^portico inspect: .*tools\.ts \(createFixtureServer\) at http:\/\/127\.0\.0\.1:\d+\/mcp$/m,
    );
    expect(stderr).toMatch(/POST initialize → 200/);
  });

  it("--stdio: the Inspector launches portico stdio with this Node and its conditions", async () => {
    const { code, stdout } = await run(
      ["inspect", TOOLS, "--stdio", "--cli", "--export", "createFixtureServer"],
      {
        env,
      },
    );
    expect(code).toBe(0);
    expect(launched(stdout).args).toEqual([
      "--cli",
      "--",
      process.execPath,
      "--conditions=@portico/source",
      BIN,
      "stdio",
      TOOLS,
      "--export",
      "createFixtureServer",
    ]);
  });
});

const inspector = findInspector();

describe.skipIf(inspector === undefined || "problem" in inspectorLaunch([], { installed: inspector }))(
  "portico inspect with the real MCP Inspector (CLI mode)",
  () => {
    const env = { PORTICO_INSPECTOR: inspector as string };

    it("lists the tools of a module served by the dev server", async () => {
      const { code, stdout } = await run(
        ["inspect", TOOLS, "--cli", "--", "--method", "tools/list", "--format", "json"],
        { env, timeoutMs: 30_000 },
      );
      expect(code).toBe(0);
      const names = JSON.parse(stdout).result.tools.map((t: { name: string }) => t.name);
      expect(names.sort()).toEqual(["add", "ask", "echo", "fail", "greet"]);
    }, 40_000);

    it("calls a tool of a module it launches over stdio", async () => {
      const { code, stdout } = await run(
        [
          "inspect",
          TOOLS,
          "--stdio",
          "--cli",
          "--",
          "--method",
          "tools/call",
          "--tool-name",
          "add",
          "--tool-arg",
          "a=2",
          "b=40",
          "--format",
          "json",
        ],
        { env, timeoutMs: 30_000 },
      );
      expect(code).toBe(0);
      expect(JSON.parse(stdout).result.content).toEqual([{ type: "text", text: "42" }]);
    }, 40_000);
  },
);
