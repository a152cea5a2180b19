/**
 * A bundle loaded with its V8 code cache (`portico-lambda-cache` of @portico/adapter-lambda) under
 * the official AWS Lambda runtime interface client, started as the Lambda bootstrap starts node
 * (`--expose-gc --max-http-header-size 81920`): the entry it writes serves buffered and streamed
 * answers, and the cache is used (the entry says so on stderr, a CloudWatch line, when it is not).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toEvent } from "@portico/adapter-lambda";
import { modernPost } from "@portico/test-kit";
import { build } from "esbuild";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { splitPrelude } from "./_function-url.ts";
import { ensureRic, pinnedNode, type RicProcess, ricSupported, startRic } from "./_ric.ts";
import { LocalFunction } from "./_runtime-api.ts";
import { dependenciesReady, workspaceRoot } from "./_stand-ins.ts";

const ADAPTER = join(workspaceRoot, "packages", "adapter-lambda");
const LAMBDA_NODE_ARGS = ["--expose-gc", "--max-http-header-size", "81920"];
const FUNCTION_URL = "https://abcdefghijklmnop.lambda-url.us-east-1.on.aws/mcp";
const ready = dependenciesReady && ricSupported;

let dir = "";
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (!ready) return;
  ensureRic();
  dir = mkdtempSync(join(tmpdir(), "portico-code-cache-ric-"));
  await build({
    entryPoints: [join(ADAPTER, "test", "fixtures", "code-cache-app.ts")],
    outfile: join(dir, "app.cjs"),
    bundle: true,
    minify: true,
    format: "cjs",
    platform: "node",
    target: "node22",
    conditions: ["@portico/source"],
    logLevel: "error",
  });
  execFileSync(
    pinnedNode,
    [
      join(ADAPTER, "bin", "portico-lambda-cache.mjs"),
      join(dir, "app.cjs"),
      "--export",
      "handler",
      "--export",
      "streamHandler",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
}, 360_000);

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(() => {
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

async function start(handler: string, nodeArgs: string[]): Promise<{ fn: LocalFunction; ric: RicProcess }> {
  const fn = new LocalFunction({ name: "code-cache", timeoutMs: 30_000 });
  stops.push(() => fn.close());
  const ric = await startRic(fn, { handler, taskRoot: dir, env: {}, nodeArgs });
  stops.push(() => ric.stop());
  return { fn, ric };
}

const addEvent = async () =>
  toEvent(modernPost(FUNCTION_URL, "tools/call", { name: "add", arguments: { a: 2, b: 3 } }), "v2");

describe.skipIf(!ready)("a code-cached bundle under aws-lambda-ric", () => {
  it("answers buffered from index.handler, the cache used", async () => {
    const { fn, ric } = await start("index.handler", LAMBDA_NODE_ARGS);
    const outcome = await fn.invoke(await addEvent());
    if (outcome.kind !== "buffered") throw new Error(`expected a buffered answer, got ${outcome.kind}`);
    const result = JSON.parse(outcome.payload);
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).result.content).toEqual([{ type: "text", text: "5" }]);
    expect(ric.output()).toContain("TOOL RAN");
    expect(ric.output()).not.toContain("code cache not used");
  });

  it("streams from index.streamHandler: the runtime sees the streaming handler through the entry", async () => {
    const { fn, ric } = await start("index.streamHandler", LAMBDA_NODE_ARGS);
    const outcome = await fn.invoke(await addEvent());
    if (outcome.kind !== "streaming") throw new Error(`expected a stream, got ${outcome.kind}`);
    const { prelude, body } = await splitPrelude(outcome.body);
    expect(prelude?.statusCode).toBe(200);
    expect(await new Response(body).text()).toContain('"text":"5"');
    expect(ric.output()).not.toContain("code cache not used");
  });

  it("started without the runtime's flags, it still answers and says once why the cache was not used", async () => {
    const { fn, ric } = await start("index.handler", []);
    const outcome = await fn.invoke(await addEvent());
    if (outcome.kind !== "buffered") throw new Error(`expected a buffered answer, got ${outcome.kind}`);
    expect(JSON.parse(JSON.parse(outcome.payload).body).result.content).toEqual([
      { type: "text", text: "5" },
    ]);
    expect(ric.output().match(/code cache not used \(rejected\)/g)).toHaveLength(1);
  });
});
