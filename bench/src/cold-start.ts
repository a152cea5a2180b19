/**
 * Lambda bundle size and cold start (part of `pnpm bench`, or alone: `node --conditions=@portico/source
 * src/cold-start.ts`). Each target is the same `add` tool behind the same event conversion
 * (`handle()` of @portico/adapter-lambda), bundled by esbuild into one minified ESM file; a cold
 * start is a fresh `node` process importing the bundle and answering one `tools/call` HTTP API event
 * (median of interleaved runs). With `BENCH_BASELINE=<ref>` (baseline.ts) the baseline's Portico —
 * its own core behind its own Lambda adapter, loaded from the worktree — is bundled and started the
 * same way, right after Portico in every run, and new/old ratios follow the table.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import {
  BASELINE_REF,
  type Baseline,
  type BaselineName,
  baselineSuffix,
  prepareBaseline,
} from "./baseline.ts";
import { type DynamoDbColdStart, dynamoDbColdStart } from "./dynamodb-cold-start.ts";
import { type BaselineRatio, baselinePair, baselineTable, machine, median } from "./report.ts";

const TARGETS = ["portico", "portico-modern", "portico-30-tools", "sdk-v2", "mcp-lite", "bare"] as const;
/** The targets also started with `PORTICO_SECRET` set, as deployed (no one-time warning on stderr). */
const SECRET_TARGETS: readonly Target[] = ["portico", "portico-modern"];
/** A 32-byte secret for the `portico + secret` runs (what a deployment sets as PORTICO_SECRET). */
const SECRET = "bench-secret-0123456789abcdef0123456789";
export type Target = (typeof TARGETS)[number] | BaselineName;
/** The `portico` target loaded with its V8 code cache (see {@link cachedBundle}). */
const CACHED = "portico + code cache" as const;
/** The same, its cache also warmed by one real `tools/call` (`--call`, as the adapter's README advises). */
const CACHED_CALL = "portico + code cache --call add" as const;
/** The `portico` target answering a legacy `initialize` (with secret, under `--expose-gc`). */
const INITIALIZE = "portico + secret, legacy initialize, --expose-gc" as const;
/** The `--call` of {@link CACHED_CALL}: `add` has no side effects. */
const WARM_CALL = 'add={"a":1,"b":2}';
const RUNS = Number(process.env.COLD_RUNS ?? (process.env.BENCH_QUICK === "1" ? 5 : 15));
/** `COLD_RUNS=0`: bundle size only (the portico target, with its largest inputs), no timing. */
const SIZE_ONLY = RUNS === 0;

/** An HTTP API v2 event POSTing one JSON-RPC request (`id` 1) to /mcp on 127.0.0.1, as JSON text. */
function postEvent(
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
): string {
  return JSON.stringify({
    version: "2.0",
    rawPath: "/mcp",
    rawQueryString: "",
    headers: {
      host: "127.0.0.1",
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    isBase64Encoded: false,
    requestContext: { http: { method: "POST", path: "/mcp" }, requestId: "r", domainName: "127.0.0.1" },
  });
}

/** The cold invocation: an HTTP API v2 event carrying `tools/call add {a: 2, b: 3}` (JSON text). */
export function event(target: Target): string {
  const params = { name: "add", arguments: { a: 2, b: 3 } };
  // mcp-lite 0.10 serves 2025-06-18 only: it gets the stateless legacy call; the others the 2026-07-28 one.
  if (target === "mcp-lite") return postEvent("tools/call", params, { "mcp-protocol-version": "2025-06-18" });
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  return postEvent(
    "tools/call",
    { ...params, _meta },
    { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "add" },
  );
}

/** A legacy `initialize` as an HTTP API v2 event (JSON text): it opens a session, whose id is random. */
export function initializeEvent(): string {
  const clientInfo = { name: "bench", version: "1" };
  return postEvent("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo });
}

export interface Bundle {
  file: string;
  min: number;
  gzip: number;
  /** Minified bytes per input file, largest first. */
  inputs: [string, number][];
}

/**
 * The baseline's Lambda entry, written into `dir`: the same app as lambda/portico.ts, on the old
 * core behind the old adapter's `handle()`. Named imports, as in the new entry, so esbuild
 * tree-shakes the old core just as the new one (`addTool` where the old core exports it).
 */
function baselineEntry(baseline: Baseline, dir: string): string {
  const file = join(dir, "baseline-entry.mjs");
  const app = fileURLToPath(new URL("./apps/portico-baseline.ts", import.meta.url));
  const exportsAddTool = /\baddTool\b/.test(readFileSync(baseline.modules.core, "utf8"));
  const names = exportsAddTool ? "addTool, createHandler, McpServer" : "createHandler, McpServer";
  writeFileSync(
    file,
    [
      `import { ${names} } from ${JSON.stringify(baseline.modules.core)};`,
      `import { handle } from ${JSON.stringify(baseline.modules.adapterLambda)};`,
      `import { porticoBaseline } from ${JSON.stringify(app)};`,
      `export const handler = handle(porticoBaseline({ ${names} }));`,
      "",
    ].join("\n"),
  );
  return file;
}

/** What an ESM bundle needs to run CommonJS code that calls `require` (esbuild's `__require` shim throws without it). */
const REQUIRE_BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/**
 * esbuild bundle of `lambda/<target>.ts` (or `entry`) into `dir`/<target>.mjs, with its sizes. A
 * bundle gets the `require` banner only when its code calls `require` (as a user would add it):
 * the banner itself loads `node:module` at import.
 */
export async function bundle(target: Target, dir: string, entry?: string): Promise<Bundle> {
  const file = join(dir, `${target.replace(/[^\w.-]/g, "_")}.mjs`);
  const options = {
    entryPoints: [entry ?? fileURLToPath(new URL(`./lambda/${target}.ts`, import.meta.url))],
    bundle: true,
    minify: true,
    format: "esm" as const,
    platform: "node" as const,
    target: "node22",
    conditions: ["@portico/source"],
    outfile: file,
    logLevel: "error" as const,
    metafile: true,
  };
  let { metafile } = await build(options);
  if (/Dynamic require of/.test(readFileSync(file, "utf8"))) {
    ({ metafile } = await build({ ...options, banner: { js: REQUIRE_BANNER } }));
  }
  const bytes = readFileSync(file);
  const inputs = Object.entries(Object.values(metafile?.outputs ?? {})[0]?.inputs ?? {})
    .map(([path, { bytesInOutput }]): [string, number] => [path, bytesInOutput])
    .sort((a, b) => b[1] - a[1]);
  return { file, min: bytes.byteLength, gzip: gzipSync(bytes, { level: 9 }).byteLength, inputs };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** The portico bundle's size and its inputs (no timing): `COLD_RUNS=0 node --conditions=@portico/source src/cold-start.ts`. */
export async function bundleSize(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "portico-size-"));
  try {
    const sections: string[] = [];
    for (const target of ["portico", "portico-modern"] as const) {
      const b = await bundle(target, dir);
      sections.push(
        `## Lambda bundle size (${target}): ${kb(b.min)} min, ${kb(b.gzip)} min+gzip (goal ≤ 20 KB: ${b.gzip <= 20 * 1024 ? "met" : "not met"})`,
        "",
        "| input | min bytes |",
        "|---|---|",
        ...b.inputs.filter(([, n]) => n > 0).map(([path, n]) => `| ${path} | ${n} |`),
        "",
      );
    }
    return sections.join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Node flag the Lambda runtime starts node with (its bootstrap): the code cache is built for it. */
const LAMBDA_NODE_FLAGS = ["--expose-gc"];

/**
 * The `portico` target as a CommonJS bundle with its V8 code cache: `portico-lambda-cache` (of
 * @portico/adapter-lambda) warms it (also by the tool calls `calls` names, its `--call` options)
 * and writes the entry (`index.mjs`) that loads it with the cache. Sizes are the bundle's;
 * `cacheBytes` is what the cache adds to the deployment.
 */
export async function cachedBundle(
  dir: string,
  calls: string[] = [],
): Promise<Bundle & { entry: string; cacheBytes: number }> {
  const out = join(dir, calls.length === 0 ? "code-cache" : "code-cache-calls");
  const file = join(out, "portico.cjs");
  await build({
    entryPoints: [fileURLToPath(new URL("./lambda/portico.ts", import.meta.url))],
    bundle: true,
    minify: true,
    format: "cjs",
    platform: "node",
    target: "node22",
    conditions: ["@portico/source"],
    outfile: file,
    logLevel: "error",
  });
  const cli = fileURLToPath(
    new URL("../../packages/adapter-lambda/bin/portico-lambda-cache.mjs", import.meta.url),
  );
  const callArgs = calls.flatMap((call) => ["--call", call]);
  execFileSync(process.execPath, [cli, file, `--node-flags=${LAMBDA_NODE_FLAGS.join(" ")}`, ...callArgs], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, PORTICO_SECRET: SECRET },
  });
  const bytes = readFileSync(file);
  return {
    file,
    entry: join(out, "index.mjs"),
    min: bytes.byteLength,
    gzip: gzipSync(bytes, { level: 9 }).byteLength,
    inputs: [],
    cacheBytes: readFileSync(`${file}.v8cache`).byteLength,
  };
}

/** One cold invocation as `_invoke.mjs` reports it: import + first answer, the import alone, the answer. */
interface ColdRun {
  ms: number;
  importMs: number;
  ok: boolean;
  status: number;
  session: boolean;
}

function coldStart(
  file: string,
  eventJson: string,
  env?: Record<string, string>,
  flags: string[] = [],
): ColdRun {
  const out = execFileSync(
    process.execPath,
    [...flags, fileURLToPath(new URL("./lambda/_invoke.mjs", import.meta.url)), file, eventJson],
    {
      encoding: "utf8",
      env: { ...process.env, ...env },
    },
  );
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as ColdRun;
}

export interface ColdStartResult {
  markdown: string;
  /** Per target: bundle sizes and the median cold start (import + first answer, in process). */
  figures: { target: string; minBytes: number; gzipBytes: number; coldStartMs: number; runs: number[] }[];
  /** new/old pairs when a baseline was given: bundle min and min+gzip bytes, cold start ms. */
  baseline: BaselineRatio[];
  /** Legacy `tools/call` cold starts on the DynamoDB stores (dynamodb-cold-start.ts). */
  dynamodb: DynamoDbColdStart;
}

export async function coldStartBench(baseline?: Baseline): Promise<ColdStartResult> {
  const dir = mkdtempSync(join(tmpdir(), "portico-cold-"));
  try {
    // The baseline runs right after Portico in every run, so their ratio pairs runs taken together.
    const targets: Target[] =
      baseline === undefined
        ? [...TARGETS]
        : ["portico", baseline.name, "portico-modern", "portico-30-tools", "sdk-v2", "mcp-lite", "bare"];
    const bundles = new Map<Target, Bundle>();
    for (const target of targets) {
      const entry =
        baseline !== undefined && target === baseline.name ? baselineEntry(baseline, dir) : undefined;
      bundles.set(target, await bundle(target, dir, entry));
    }
    const cached = await cachedBundle(dir);
    const cachedCall = await cachedBundle(dir, [WARM_CALL]);
    const times = new Map<Target, number[]>(targets.map((t) => [t, []]));
    const withSecret = new Map<Target, number[]>(SECRET_TARGETS.map((t) => [t, []]));
    /** Each run in `times` split: the import (reading, compiling and running the bundle's top level), the first answer. */
    const imports = new Map<Target, number[]>(targets.map((t) => [t, []]));
    const firsts = new Map<Target, number[]>(targets.map((t) => [t, []]));
    const cachedTimes: number[] = [];
    const cachedSecretTimes: number[] = [];
    const callTimes: number[] = [];
    const callSecretTimes: number[] = [];
    const initializeTimes: number[] = [];
    for (let round = 0; round < RUNS; round++) {
      // Every other run in reverse, so neither side of a pair always starts first.
      const order: (Target | typeof CACHED)[] = [...targets, CACHED];
      for (const target of round % 2 === 0 ? order : order.reverse()) {
        if (target === CACHED) {
          // As Lambda starts node (its flag), plain and with PORTICO_SECRET set.
          const ev = event("portico");
          const secret = { PORTICO_SECRET: SECRET };
          const c = coldStart(cached.entry, ev, undefined, LAMBDA_NODE_FLAGS);
          const cs = coldStart(cached.entry, ev, secret, LAMBDA_NODE_FLAGS);
          const k = coldStart(cachedCall.entry, ev, undefined, LAMBDA_NODE_FLAGS);
          const ks = coldStart(cachedCall.entry, ev, secret, LAMBDA_NODE_FLAGS);
          if (![c, cs, k, ks].every((r) => r.ok)) {
            throw new Error(`${CACHED}: the cold invocation did not answer add(2, 3) = 5`);
          }
          cachedTimes.push(c.ms);
          cachedSecretTimes.push(cs.ms);
          callTimes.push(k.ms);
          callSecretTimes.push(ks.ms);
          continue;
        }
        const b = bundles.get(target);
        if (b === undefined) continue;
        const r = coldStart(b.file, event(target));
        if (!r.ok) throw new Error(`${target}: the cold invocation did not answer add(2, 3) = 5`);
        times.get(target)?.push(r.ms);
        imports.get(target)?.push(r.importMs);
        firsts.get(target)?.push(r.ms - r.importMs);
        if (target === "portico") {
          // A 2025-era client's first request to a fresh instance, as Lambda starts node.
          const init = coldStart(b.file, initializeEvent(), { PORTICO_SECRET: SECRET }, LAMBDA_NODE_FLAGS);
          if (init.status !== 200 || !init.session) throw new Error("portico: initialize opened no session");
          initializeTimes.push(init.ms);
        }
        const secretRuns = withSecret.get(target);
        if (secretRuns !== undefined) {
          // As deployed: with PORTICO_SECRET set, the handler writes no one-time warning.
          const s = coldStart(b.file, event(target), { PORTICO_SECRET: SECRET });
          if (!s.ok) throw new Error(`${target} + secret: the cold invocation did not answer add(2, 3) = 5`);
          secretRuns.push(s.ms);
        }
      }
    }
    const med = (t: Target) => median(times.get(t) ?? []);
    const secretMed = (t: Target) => median(withSecret.get(t) ?? []);
    const rows = targets.flatMap((t) => {
      const b = bundles.get(t);
      const row = (name: string, ms: number) =>
        `| ${name} | ${kb(b?.min ?? 0)} | ${kb(b?.gzip ?? 0)} | ${ms.toFixed(1)} ms | ${(ms / med("bare")).toFixed(2)}× |`;
      return withSecret.has(t) ? [row(t, med(t)), row(`${t} + secret`, secretMed(t))] : [row(t, med(t))];
    });
    const cachedRow = (name: string, ms: number, b = cached) =>
      `| ${name} | ${kb(b.min)} (+ ${kb(b.cacheBytes)} cache) | ${kb(b.gzip)} | ${ms.toFixed(1)} ms | ${(ms / med("bare")).toFixed(2)}× |`;
    rows.splice(
      2,
      0,
      cachedRow(CACHED, median(cachedTimes)),
      cachedRow(`${CACHED} + secret`, median(cachedSecretTimes)),
      cachedRow(CACHED_CALL, median(callTimes), cachedCall),
      cachedRow(`${CACHED_CALL} + secret`, median(callSecretTimes), cachedCall),
    );
    const portico = bundles.get("portico");
    if (portico !== undefined) {
      rows.splice(
        2,
        0,
        `| ${INITIALIZE} | ${kb(portico.min)} | ${kb(portico.gzip)} | ${median(initializeTimes).toFixed(1)} ms (legacy \`initialize\`) | — |`,
      );
    }
    const p = med("portico");
    const vs = (t: Target) => p / med(t);
    const sizeGoal = (t: Target, what: string) => {
      const gz = (bundles.get(t)?.gzip ?? 0) / 1024;
      return `| bundle min+gzip ≤ 15 KB (≤ 20 KB), ${what} | ${gz.toFixed(1)} KB | ${gz <= 15 ? "yes" : gz <= 20 ? "≤ 20 KB only" : "no"} |`;
    };
    const coldGoal = (t: Target, what: string) => {
      const plain = med(t);
      const secret = secretMed(t);
      return `| cold start ≤ 8 ms, ${what} | ${plain.toFixed(1)} ms (${secret.toFixed(1)} ms with secret) | ${plain <= 8 ? "yes" : secret <= 8 ? "with secret only" : "no"} |`;
    };
    const cachedMs = median(cachedTimes);
    const cachedSecretMs = median(cachedSecretTimes);
    const callMs = median(callTimes);
    const callSecretMs = median(callSecretTimes);
    const cachedVsBare = cachedMs / med("bare");
    const goals = [
      sizeGoal("portico", "both eras"),
      sizeGoal("portico-modern", "2026-07-28 only (createModernHandler)"),
      coldGoal("portico", "both eras"),
      coldGoal("portico-modern", "2026-07-28 only"),
      `| cold start ≤ 8 ms, both eras, with the code cache | ${cachedMs.toFixed(1)} ms (${cachedSecretMs.toFixed(1)} ms with secret) | ${cachedMs <= 8 ? "yes" : cachedSecretMs <= 8 ? "with secret only" : "no"} |`,
      `| cold start ≤ 8 ms, both eras, with the code cache warmed by \`--call\` | ${callMs.toFixed(1)} ms (${callSecretMs.toFixed(1)} ms with secret) | ${callMs <= 8 ? "yes" : callSecretMs <= 8 ? "with secret only" : "no"} |`,
      `| cold start ≥ 4× faster than bare (≤ 0.25×) | ${vs("bare").toFixed(2)}× | ${vs("bare") <= 0.25 ? "yes" : "no"} |`,
      `| cold start ≥ 4× faster than bare (≤ 0.25×), with the code cache | ${cachedVsBare.toFixed(2)}× | ${cachedVsBare <= 0.25 ? "yes" : "no"} |`,
      `| cold start ≥ 5× faster than mcp-lite (≤ 0.2×) | ${vs("mcp-lite").toFixed(2)}× | ${vs("mcp-lite") <= 0.2 ? "yes" : "no"} |`,
      `| cold start ≤ 0.5× SDK v2 | ${vs("sdk-v2").toFixed(2)}× | ${vs("sdk-v2") <= 0.5 ? "yes" : "no"} |`,
    ];
    const figure = (target: string, b: Bundle | undefined, runs: number[]) => ({
      target,
      minBytes: b?.min ?? 0,
      gzipBytes: b?.gzip ?? 0,
      coldStartMs: median(runs),
      runs,
    });
    const figures = [
      ...targets.map((t) => figure(t, bundles.get(t), times.get(t) ?? [])),
      ...SECRET_TARGETS.map((t) => figure(`${t} + secret`, bundles.get(t), withSecret.get(t) ?? [])),
      figure(CACHED, cached, cachedTimes),
      figure(`${CACHED} + secret`, cached, cachedSecretTimes),
      figure(CACHED_CALL, cachedCall, callTimes),
      figure(`${CACHED_CALL} + secret`, cachedCall, callSecretTimes),
      figure(INITIALIZE, bundles.get("portico"), initializeTimes),
    ];
    const dynamodb = await dynamoDbColdStart(dir, RUNS);
    const ddbRatio = dynamodb.lightMs / dynamodb.fetchMs;
    const markdown = [
      `## Lambda bundle and cold start (${RUNS} interleaved runs, median)`,
      "",
      "| target | min | min+gzip | cold start (import + first tools/call) | vs bare |",
      "|---|---|---|---|---|",
      ...rows,
      "",
      "| goal | value | met |",
      "|---|---|---|",
      ...goals,
      "",
      "Where a cold start goes (the same runs, medians): the import — reading, compiling and running the bundle's top",
      "level, which builds the server and its handler — and the first answer after it.",
      "",
      "| target | import | first answer |",
      "|---|---|---|",
      ...targets.map(
        (t) =>
          `| ${t} | ${median(imports.get(t) ?? []).toFixed(1)} ms | ${median(firsts.get(t) ?? []).toFixed(1)} ms |`,
      ),
      "",
      `### A legacy \`tools/call\` on the DynamoDB stores (${RUNS} interleaved runs, median)`,
      "",
      "A fresh node with the Lambda runtime's `--expose-gc` imports `lambda/portico-dynamodb.ts` and answers a 2025-era",
      "`tools/call` in a session another process opened (a session read), against dynalite on 127.0.0.1.",
      "",
      "| the stores' HTTP client | cold start | vs global fetch |",
      "|---|---|---|",
      `| default (\`lightFetch\`: node:https, no undici) | ${dynamodb.lightMs.toFixed(1)} ms | ${ddbRatio.toFixed(2)}× |`,
      `| Node's global \`fetch\` (undici) | ${dynamodb.fetchMs.toFixed(1)} ms | 1.00× |`,
    ].join("\n");
    const old = baseline === undefined ? undefined : bundles.get(baseline.name);
    if (baseline === undefined || old === undefined) return { markdown, figures, baseline: [], dynamodb };
    const now = bundles.get("portico");
    const size = (b: Bundle | undefined, key: "min" | "gzip") => (b === undefined ? [] : [b[key]]);
    return {
      markdown,
      figures,
      dynamodb,
      baseline: [
        baselinePair("Lambda bundle min", "—", "bytes", size(now, "min"), size(old, "min"), false),
        baselinePair("Lambda bundle min+gzip", "—", "bytes", size(now, "gzip"), size(old, "gzip"), false),
        baselinePair(
          "Lambda cold start",
          "modern",
          "ms",
          times.get("portico") ?? [],
          times.get(baseline.name) ?? [],
        ),
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}` && SIZE_ONLY) {
  process.stdout.write(`${await bundleSize()}\n`);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const host = machine();
  const baseline =
    BASELINE_REF === undefined
      ? undefined
      : prepareBaseline(BASELINE_REF, (line) => process.stderr.write(`${line}\n`));
  let result: ColdStartResult;
  try {
    result = await coldStartBench(baseline);
  } finally {
    baseline?.remove();
  }
  const vs =
    baseline === undefined
      ? ""
      : `\n\n## New vs ${baseline.name} (commit ${baseline.commit.slice(0, 12)})\n\n${baselineTable(baseline.name, result.baseline)}`;
  const md = `# Lambda cold start, ${new Date().toISOString().slice(0, 10)}\n\nMachine: ${host.os}, ${host.cpus}× ${host.cpuModel}, Node ${host.node}.\n\n${result.markdown}${vs}\n`;
  process.stdout.write(md);
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    `${dir}${new Date().toISOString().slice(0, 10)}-cold-start${baselineSuffix(baseline)}${RUNS < 15 ? "-quick" : ""}.md`,
    md,
  );
}
