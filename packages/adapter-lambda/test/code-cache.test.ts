/**
 * portico-lambda-cache: a V8 code cache for a CommonJS Lambda bundle, warmed by requests that run no
 * tool, and the entry that loads the bundle with it. Real processes throughout: the CLI, its warm-up
 * child under the Lambda runtime's Node flag (`--expose-gc`), and a fresh `node` per cold start.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../bin/portico-lambda-cache.mjs", import.meta.url));
const APP = fileURLToPath(new URL("./fixtures/code-cache-app.ts", import.meta.url));
const INVOKE = fileURLToPath(new URL("./fixtures/code-cache-invoke.mjs", import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, args, {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Answer {
  status: number;
  body: string;
  cache: { status: string; reason?: string };
}

/** A cold start: a fresh node (the Lambda runtime's flag unless told) imports the entry and calls `name`. */
function coldCall(
  entry: string,
  name = "handler",
  flags = ["--expose-gc"],
  env: Record<string, string> = {},
  tool = "add",
) {
  const r = run([...flags, INVOKE, entry, name, tool], env);
  expect(r.status, r.stderr).toBe(0);
  return { answer: JSON.parse(r.stdout.trim()) as Answer, stderr: r.stderr };
}

let dir = "";

/** A fresh directory holding the CommonJS bundle `app.cjs` (with `app.cjs.map` when `sourcemap`). */
async function bundled(name: string, sourcemap = false): Promise<string> {
  const d = join(dir, name);
  await build({
    sourcemap,
    entryPoints: [APP],
    outfile: join(d, "app.cjs"),
    bundle: true,
    minify: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    conditions: ["@portico/source"],
    logLevel: "error",
  });
  return d;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "portico-code-cache-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sum = (answer: Answer) => /"text":"(\d+)"/.exec(answer.body)?.[1];

describe("portico-lambda-cache", () => {
  let app = "";
  let build1: Run;

  beforeAll(async () => {
    app = await bundled("main");
    build1 = run([CLI, join(app, "app.cjs"), "--export", "handler", "--export", "lateHandler"]);
  });

  it("warms the bundle without running a tool and writes the cache and the entry", () => {
    expect(build1.status, build1.stderr).toBe(0);
    expect(build1.stdout).toContain(`for Node ${process.version} (${process.arch}), flags [--expose-gc]`);
    expect(build1.stdout).toContain('handler "index.handler", "index.lateHandler"');
    expect(build1.stdout).toMatch(
      /handler server\/discover 200, handler tools\/list 200, handler tools\/call 400/,
    );
    expect(build1.stdout).toContain("lateHandler tools/list 200");
    expect(build1.stderr).not.toContain("TOOL RAN");
    expect(build1.stderr).toBe("WARMING\n");
    const cache = readFileSync(join(app, "app.cjs.v8cache"));
    const header = JSON.parse(cache.subarray(0, cache.indexOf(10)).toString());
    expect(header).toMatchObject({
      format: "portico-v8-code-cache",
      version: 1,
      node: process.version,
      arch: process.arch,
      flags: ["--expose-gc"],
      bundle: "app.cjs",
    });
    expect(cache.byteLength - cache.indexOf(10) - 1).toBe(header.bytes);
    // More than the bundle's top level: the functions the warm-up requests ran are in it too.
    expect(header.bytes).toBeGreaterThan(header.bundleBytes);
  });

  it("serves a cold start from the cache under the runtime's flags, silently", () => {
    const { answer, stderr } = coldCall(join(app, "index.mjs"));
    expect(answer.cache).toStrictEqual({ status: "accepted" });
    expect(answer.status).toBe(200);
    expect(sum(answer)).toBe("5");
    expect(stderr).toBe("TOOL RAN\n");
  });

  it("awaits an exported promise of a handler (CommonJS has no top-level await)", () => {
    const { answer } = coldCall(join(app, "index.mjs"), "lateHandler");
    expect(answer.cache.status).toBe("accepted");
    expect(sum(answer)).toBe("5");
  });

  it("under other Node flags V8 refuses the cache: the bundle loads as usual, with one warning naming the flags", () => {
    const { answer, stderr } = coldCall(join(app, "index.mjs"), "handler", []);
    expect(answer.cache.status).toBe("rejected");
    expect(sum(answer)).toBe("5");
    const warnings = stderr.split("\n").filter((l) => l.startsWith("[portico-lambda-cache]"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("built under Node flags [--expose-gc], running under []");
  });

  it("PORTICO_CODE_CACHE=off skips it without a warning", () => {
    const { answer, stderr } = coldCall(join(app, "index.mjs"), "handler", ["--expose-gc"], {
      PORTICO_CODE_CACHE: "off",
    });
    expect(answer.cache).toStrictEqual({ status: "off" });
    expect(sum(answer)).toBe("5");
    expect(stderr).toBe("TOOL RAN\n");
  });

  describe("a cache it cannot use", () => {
    /** A copy of the built function directory, changed by `change`. */
    function variant(name: string, change: (d: string) => void): string {
      const d = join(dir, name);
      execFileSync("cp", ["-r", app, d]);
      change(d);
      return join(d, "index.mjs");
    }

    it.each([
      ["missing", (d: string) => rmSync(join(d, "app.cjs.v8cache")), "missing"],
      [
        "built by another Node version",
        (d: string) => {
          const f = join(d, "app.cjs.v8cache");
          const bytes = readFileSync(f);
          const end = bytes.indexOf(10);
          const header = JSON.parse(bytes.subarray(0, end).toString());
          const other = Buffer.from(`${JSON.stringify({ ...header, node: "v22.0.0" })}\n`);
          writeFileSync(f, Buffer.concat([other, bytes.subarray(end + 1)]));
        },
        "mismatch",
      ],
      [
        "truncated",
        (d: string) => {
          const f = join(d, "app.cjs.v8cache");
          const bytes = readFileSync(f);
          writeFileSync(f, bytes.subarray(0, bytes.byteLength - 1000));
        },
        "invalid",
      ],
      ["not one of ours", (d: string) => writeFileSync(join(d, "app.cjs.v8cache"), "garbage"), "invalid"],
      [
        "for a bundle changed since",
        (d: string) => appendFileSync(join(d, "app.cjs"), "\n// changed\n"),
        "rejected",
      ],
    ])("%s: the bundle loads as usual and the reason is said once", (name, change, status) => {
      const entry = variant(name.replace(/\W+/g, "-"), change);
      const { answer, stderr } = coldCall(entry);
      expect(answer.cache.status).toBe(status);
      expect(sum(answer)).toBe("5");
      expect(stderr.match(/\[portico-lambda-cache\] code cache not used/g)).toHaveLength(1);
    });
  });

  it("--legacy also warms a 2025-era session: opened, used and closed", async () => {
    const d = await bundled("legacy");
    const built = run([CLI, join(d, "app.cjs"), "--legacy"]);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toContain(
      "handler legacy initialize 200, handler legacy notifications/initialized 202, handler legacy tools/list 200, handler legacy tools/call 200, handler legacy DELETE 200",
    );
    expect(built.stderr).not.toContain("TOOL RAN");
    const { answer } = coldCall(join(d, "index.mjs"));
    expect(answer.cache.status).toBe("accepted");
    expect(sum(answer)).toBe("5");
  });

  describe("--call", () => {
    let d = "";
    beforeAll(async () => {
      d = await bundled("calls");
    });

    it("runs the named tool calls for real in each era, with their Mcp-Param headers, and the cache serves", () => {
      const built = run([
        CLI,
        join(d, "app.cjs"),
        "--legacy",
        "--call",
        'add={"a":1,"b":2}',
        "--call",
        'region={"where":{"region":"zürich-1"}}',
      ]);
      expect(built.status, built.stderr).toBe(0);
      expect(built.stdout).toContain(
        "handler prompts/list 404, handler tools/call add 200, handler tools/call region 200, handler legacy initialize 200",
      );
      expect(built.stdout).toContain(
        "handler legacy tools/call add 200, handler legacy tools/call region 200, handler legacy DELETE 200",
      );
      // Once per era each; the non-ASCII argument went out base64-encoded in Mcp-Param-Region.
      expect(built.stderr).toBe(
        "WARMING\nTOOL RAN\nTOOL RAN region zürich-1\nTOOL RAN\nTOOL RAN region zürich-1\n",
      );
      const { answer, stderr } = coldCall(join(d, "index.mjs"));
      expect(answer.cache).toStrictEqual({ status: "accepted" });
      expect(sum(answer)).toBe("5");
      expect(stderr).toBe("TOOL RAN\n");
    });

    it("warms a streamHandle() export with a call, reading the streamed answer", async () => {
      const built = run([
        CLI,
        join(d, "app.cjs"),
        "--export",
        "streamHandler",
        "--entry",
        "stream.mjs",
        "--call",
        'add={"a":1,"b":2}',
      ]);
      expect(built.status, built.stderr).toBe(0);
      expect(built.stdout).toContain("streamHandler tools/call add 200");
      const refused = run([
        CLI,
        join(d, "app.cjs"),
        "--export",
        "streamHandler",
        "--entry",
        "s.mjs",
        "--call",
        "nope",
      ]);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(
        '--call nope: "streamHandler" answered its 2026-07-28 tools/call with error -32602: Unknown tool: nope;',
      );
    });

    it.each([
      ["an unknown tool", ["nope"], "with error -32602: Unknown tool: nope;"],
      ["arguments the tool refuses", ["region={}"], "with a tool error: Invalid arguments for tool region"],
      [
        "arguments of the wrong type, under --legacy too",
        ["--legacy", 'region={"where":{"region":1}}'],
        "answered its 2026-07-28 tools/call with a tool error",
      ],
    ])("fails the build, writing nothing, when the server answers %s", (_, args, said) => {
      const out = join(d, "failed");
      rmSync(out, { recursive: true, force: true });
      copyFileSync(join(d, "app.cjs"), join(dir, "failed.cjs"));
      const callArgs = args.flatMap((a) => (a.startsWith("--") ? [a] : ["--call", a]));
      const r = run([CLI, join(dir, "failed.cjs"), "--entry", "failed.mjs", ...callArgs]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(said);
      expect(r.stderr).toContain("name a tool and arguments that it answers without side effects or input");
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, "failed.cjs.v8cache"))).toBe(false);
      expect(existsSync(join(dir, "failed.mjs"))).toBe(false);
    });
  });

  it("--node-flags= builds for a node started without flags", async () => {
    const d = await bundled("no-flags");
    const built = run([CLI, join(d, "app.cjs"), "--node-flags="]);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toContain("flags []");
    expect(coldCall(join(d, "index.mjs"), "handler", []).answer.cache.status).toBe("accepted");
    expect(coldCall(join(d, "index.mjs"), "handler", ["--expose-gc"]).answer.cache.status).toBe("rejected");
  });

  describe("stack traces", () => {
    let d = "";
    beforeAll(async () => {
      d = await bundled("source-maps", true);
      expect(run([CLI, join(d, "app.cjs")]).status).toBe(0);
    });
    /** The stack the `where` tool made, as the client got it. */
    const stackOf = (flags: string[]) => {
      const { answer } = coldCall(join(d, "index.mjs"), "handler", flags, {}, "where");
      expect(answer.cache.status).toBe("accepted");
      return JSON.parse(answer.body).result.content[0].text as string;
    };

    it("name the bundle's line and column, as if it were loaded as a module", () => {
      const lines = readFileSync(join(d, "app.cjs"), "utf8").split("\n");
      const line = lines.findIndex((l) => l.includes('Error("portico-where-marker")'));
      const column = (lines[line] as string).indexOf('new Error("portico-where-marker")') + 1;
      expect(stackOf(["--expose-gc"])).toContain(`${join(d, "app.cjs")}:${line + 1}:${column})`);
    });

    it("follow the bundle's source map under --enable-source-maps when it loads without the cache", () => {
      const off = { PORTICO_CODE_CACHE: "off" };
      const { answer } = coldCall(join(d, "index.mjs"), "handler", ["--enable-source-maps"], off, "where");
      expect(answer.cache.status).toBe("off");
      expect(JSON.parse(answer.body).result.content[0].text).toMatch(
        /fixtures\/code-cache-app\.ts:\d+:\d+\)/,
      );
      // With the cache, Node does not map a vm script's frames: they name the bundle (above).
      expect(stackOf(["--expose-gc", "--enable-source-maps"])).toContain(`${join(d, "app.cjs")}:`);
    });
  });

  it("warms and caches a streamHandle() export with a stand-in for the runtime's awslambda global", async () => {
    const d = await bundled("stream");
    const built = run([CLI, join(d, "app.cjs"), "--export", "streamHandler", "--entry", "stream.mjs"]);
    expect(built.status, built.stderr).toBe(0);
    expect(built.stdout).toContain("streamHandler tools/list 200");
    const { answer } = coldCall(join(d, "stream.mjs"), "streamHandler", ["--expose-gc"], { STAND_IN: "1" });
    expect(answer.cache.status).toBe("accepted");
    expect(answer.status).toBe(200);
    expect(sum(answer)).toBe("5");
  });

  describe("refuses what it cannot cache, in one line", () => {
    beforeAll(() => {
      copyFileSync(join(app, "index.mjs"), join(app, "esm.js"));
      copyFileSync(join(app, "app.cjs"), join(app, "index.js"));
    });

    it.each([
      ["no bundle", [], 2, "usage: portico-lambda-cache"],
      ["a missing file", ["nope.cjs"], 2, "nope.cjs: no such file"],
      [
        "an export name that is no identifier",
        ["app.cjs", "--export", "a-b"],
        2,
        "is not a JavaScript identifier",
      ],
      [
        "an entry that is not .mjs",
        ["app.cjs", "--entry", "index.js"],
        2,
        "--entry must be a file name ending in .mjs",
      ],
      [
        "an entry named as the bundle",
        ["app.cjs", "--entry", "app.cjs"],
        2,
        "--entry must be a file name ending in .mjs",
      ],
      [
        "a bundle index.js beside the entry index.mjs, which the runtime would pass over",
        ["index.js"],
        2,
        "--entry index.mjs has the bundle's name: the Lambda runtime would load index.js",
      ],
      [
        "an export that is not a function",
        ["app.cjs", "--export", "buildTime"],
        1,
        'exports no function named "buildTime"',
      ],
      ["an unknown option", ["app.cjs", "--bogus"], 2, "Unknown option"],
      ["a --call that names no tool", ["app.cjs", "--call", "={}"], 2, '--call "={}" names no tool'],
      [
        "a --call whose arguments are not JSON",
        ["app.cjs", "--call", "add={a"],
        2,
        "--call add: its arguments are not JSON",
      ],
      [
        "a --call whose arguments are not an object",
        ["app.cjs", "--call", "add=[1]"],
        2,
        "--call add: its arguments must be a JSON object",
      ],
      [
        "an ES module bundle",
        ["esm.js"],
        2,
        "looks like an ES module: bundle it as CommonJS (esbuild --format=cjs)",
      ],
    ])("%s", (_, args, code, said) => {
      const r = spawnSync(process.execPath, [CLI, ...args], { cwd: app, encoding: "utf8", timeout: 60_000 });
      expect(r.status).toBe(code);
      expect(r.stderr).toContain(said);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
