/**
 * `portico call`: one tool, in process for an entry and through the SDK client for a URL; text
 * content on stdout, `--raw` JSON, exit 1 with the message when the tool fails.
 */
import { type Server, serve } from "@portico/adapter-node";
import { createHandler } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE, run } from "./_cli.ts";
import { createFixtureServer } from "./fixture/tools.ts";

const TOOLS = `${FIXTURE}tools.ts`;
const CWD = new URL("..", import.meta.url).pathname; // packages/cli

describe("portico call <entry>", () => {
  it("prints the text content and exits 0", async () => {
    const { code, stdout, stderr } = await run(["call", TOOLS, "add", "--arg", "a=1", "--arg", "b=41"]);
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "42\n", stderr: "" });
  });

  it("parses --arg values as JSON when they parse, else as text, on top of --json", async () => {
    const { code, stdout } = await run([
      "call",
      TOOLS,
      "echo",
      "--json",
      '{"s":"from json","keep":true}',
      "--arg",
      "s=hello world",
      "--arg",
      "n=3",
      "--arg",
      'o={"k":[1,2]}',
      "--arg",
      'q="3"',
      "--arg",
      "eq=a=b",
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      s: "hello world",
      keep: true,
      n: 3,
      o: { k: [1, 2] },
      q: "3",
      eq: "a=b",
    });
  });

  it("--raw prints the JSON result", async () => {
    const { code, stdout } = await run(["call", TOOLS, "add", "--json", '{"a":2,"b":3}', "--raw"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ content: [{ type: "text", text: "5" }] });
  });

  it("keeps stdout to the result: the module's console output goes to stderr", async () => {
    // `portico call … --raw | jq` and `> out.txt` need stdout to hold the result alone.
    const noisy = new URL("./entries/noisy.ts", import.meta.url).pathname;
    const { code, stdout, stderr } = await run(["call", noisy, "who", "--raw"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ content: [{ type: "text", text: "noisy" }] });
    expect(stderr).toContain("loading the noisy module");
    expect(stderr).toContain("the noisy tool runs");
  });

  it("a tool error (isError) exits 1 with its message on stderr", async () => {
    const { code, stdout, stderr } = await run(["call", TOOLS, "fail"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim()).toBe("portico: fail failed: the fixture tool failed on purpose");
    const invalid = await run(["call", TOOLS, "add", "--arg", "a=one", "--arg", "b=2"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^portico: add failed: .+/);
  });

  it("a JSON-RPC error (unknown tool) exits 1 with its message", async () => {
    const { code, stderr } = await run(["call", TOOLS, "nope"]);
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/^portico: .*nope/);
  });

  it("bad --json or --arg is a usage error", async () => {
    const json = await run(["call", TOOLS, "add", "--json", "{a:1}"]);
    expect(json.code).toBe(2);
    expect(json.stderr.split("\n")[0]).toMatch(/^portico: --json is not JSON: /);
    const array = await run(["call", TOOLS, "add", "--json", "[1]"]);
    expect(array.stderr.split("\n")[0]).toBe("portico: --json must be a JSON object of arguments");
    const arg = await run(["call", TOOLS, "add", "--arg", "a"]);
    expect(arg.code).toBe(2);
    expect(arg.stderr.split("\n")[0]).toBe('portico: --arg "a" is not key=value');
  });

  it("follows the entry convention: default, server, --export, { fetch }, JavaScript (tools.ts: the only candidate)", async () => {
    const who = async (entry: string, ...extra: string[]) => {
      const { code, stdout, stderr } = await run(["call", entry, "who", ...extra], { cwd: CWD });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      return stdout.trim();
    };
    expect(
      await Promise.all([
        who("test/entries/default-async.ts"),
        who("test/entries/default-async.ts", "--export", "other"),
        who("test/entries/named-server.ts"),
        who("test/entries/fetch-handler.ts"),
        who("test/entries/plain.mjs"),
      ]),
    ).toEqual(["default export", "other export", "named server", "fetch handler", "javascript"]);
  }, 60_000);
});

describe("portico call <url>", () => {
  let server: Server;
  const seen: (string | null)[] = [];

  beforeAll(async () => {
    const handler = createHandler(createFixtureServer());
    server = await serve(
      {
        acceptsBufferedRequests: true,
        fetch(request, env, ctx) {
          seen.push(request.headers.get("x-portico-test"));
          return handler.fetch(request, env, ctx);
        },
      },
      { port: 0 },
    );
  });

  afterAll(() => server?.close());

  it("calls the tool with the SDK client, sending --header", async () => {
    const { code, stdout } = await run([
      "call",
      `${server.url}/mcp`,
      "add",
      "--arg",
      "a=20",
      "--arg",
      "b=22",
      "--header",
      "X-Portico-Test: yes",
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe("42\n");
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((value) => value === "yes")).toBe(true);
  });

  it("exits 1 with the message when the tool fails", async () => {
    const { code, stderr } = await run(["call", `${server.url}/mcp`, "fail"]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe("portico: fail failed: the fixture tool failed on purpose");
  });

  it("a URL nothing answers is one line", async () => {
    const closed = await serve({ fetch: () => new Response("") }, { port: 0 });
    const url = `${closed.url}/mcp`;
    await closed.close();
    const { code, stderr } = await run(["call", url, "add"]);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`portico: cannot connect to ${url}: fetch failed (ECONNREFUSED)`);
  });
});
