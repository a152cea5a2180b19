/**
 * Lambda cold start of the whole process through the official runtime interface client (part (f) of
 * `pnpm bench`, or alone: `node --conditions=@portico/source src/ric-cold-start.ts`). Each run is a
 * fresh execution environment: `node` running `aws-lambda-ric` (installed by scripts/ensure-ric.sh)
 * in its own process group, polling a local Runtime API (`LocalFunction` of the quickstart's tests)
 * on 127.0.0.1. The HTTP API v2 `tools/call add` event of cold-start.ts is queued before the spawn;
 * a run lasts from just before the spawn until the Runtime API has the function's whole response.
 * The bundles are cold-start.ts's. Settings: `RIC_RUNS` (default 11, 3 with `BENCH_QUICK=1`).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { InvokeOutcome } from "../../examples/quickstart/lambda/test/_invoke-outcome.ts";
import { LocalFunction } from "../../examples/quickstart/lambda/test/_runtime-api.ts";
import { type Bundle, bundle, cachedBundle, event } from "./cold-start.ts";
import { machine, median } from "./report.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where scripts/ensure-ric.sh installs the RIC (its own npm project, outside the pnpm workspace). */
const RIC_DIR = join(ROOT, "examples", "quickstart", "lambda", "ric");
const ADDON = join(RIC_DIR, "node_modules", "aws-lambda-ric", "rapid-client.node");
/** The workspace's pinned Node (as the quickstart's RIC test uses), else the one running the bench. */
const NODE = [join(ROOT, "node_modules", "node", "bin", "node")].find(existsSync) ?? process.execPath;
const RUNS = Number(process.env.RIC_RUNS ?? (process.env.BENCH_QUICK === "1" ? 3 : 11));
/** A run (spawn → response) that takes longer fails the bench. */
const RUN_TIMEOUT_MS = 20_000;
/** How the Lambda runtime's bootstrap starts node (the memory flags aside), for every case. */
const LAMBDA_NODE_ARGS = ["--expose-gc", "--max-http-header-size", "81920"];

type LambdaTarget = "portico" | "sdk-v2" | "mcp-lite" | "bare";

interface Case {
  name: string;
  target: LambdaTarget;
  /** The function's own environment variables. */
  env: Record<string, string>;
  /** Loaded with its V8 code cache: cold-start.ts's cachedBundle() (`index.mjs` + the CommonJS bundle). */
  cached?: true;
}

/** Portico twice: as bundled (no `secret`: it warns once on stderr) and with `PORTICO_SECRET` set. */
const CASES: Case[] = [
  { name: "portico", target: "portico", env: {} },
  {
    name: "portico + secret",
    target: "portico",
    env: { PORTICO_SECRET: randomBytes(32).toString("base64") },
  },
  {
    name: "portico + code cache + secret",
    target: "portico",
    env: { PORTICO_SECRET: randomBytes(32).toString("base64") },
    cached: true,
  },
  { name: "sdk-v2", target: "sdk-v2", env: {} },
  { name: "mcp-lite", target: "mcp-lite", env: {} },
  { name: "bare", target: "bare", env: {} },
];

export interface RicCase {
  name: string;
  medianMs: number;
  minMs: number;
  /** Every measured run, in order. */
  runsMs: number[];
  /** median / bare's median. */
  vsBare: number;
}

export interface RicColdStartResult {
  markdown: string;
  runs: number;
  ric: { version: string; node: string };
  loadAverage: { start: number[]; end: number[] };
  cases: RicCase[];
  /** Ratios of medians. */
  ratios: { porticoVsBare: number; porticoSecretVsBare: number; porticoCachedVsBare: number };
}

/** Process groups still running (killed when the bench exits, even on failure). */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) signalGroup(child, "SIGKILL");
});

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {}
}

/** The RIC's entry (`index.mjs`), installing it first (scripts/ensure-ric.sh, Linux only) when missing. */
function ricEntry(): string {
  if (!existsSync(ADDON)) {
    if (process.platform !== "linux") throw new Error("aws-lambda-ric builds its native addon on Linux only");
    process.stderr.write("installing aws-lambda-ric (scripts/ensure-ric.sh, a native build)\n");
    execFileSync("sh", [join(ROOT, "scripts", "ensure-ric.sh")], {
      stdio: ["ignore", "inherit", "inherit"],
      timeout: 300_000,
    });
  }
  return createRequire(join(RIC_DIR, "package.json")).resolve("aws-lambda-ric");
}

/** The environment Lambda gives a function (as the quickstart's _ric.ts), plus the function's own. */
function lambdaEnv(c: Case, taskRoot: string, api: string): NodeJS.ProcessEnv {
  const name = `bench-${c.target}`;
  return {
    PATH: process.env.PATH ?? "",
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    _HANDLER: c.cached ? "index.handler" : `${c.target}.handler`,
    LAMBDA_TASK_ROOT: taskRoot,
    AWS_LAMBDA_RUNTIME_API: api,
    AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: "local/[$LATEST]bench",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
    ...c.env,
  };
}

/** Why an outcome is not `add(2, 3) = 5` as an HTTP 200, or undefined when it is. */
function wrongAnswer(outcome: InvokeOutcome): string | undefined {
  if (outcome.kind === "error") return `${outcome.phase} error ${outcome.errorType} ${outcome.payload}`;
  if (outcome.kind !== "buffered") return `a ${outcome.kind} response, not a buffered one`;
  const result = JSON.parse(outcome.payload) as {
    statusCode?: number;
    body?: string;
    isBase64Encoded?: boolean;
  };
  const body =
    result.isBase64Encoded === true
      ? Buffer.from(result.body ?? "", "base64").toString()
      : (result.body ?? "");
  if (result.statusCode === 200 && body.includes('"text":"5"')) return undefined;
  return `status ${result.statusCode}, body ${body.slice(0, 300)}`;
}

/** One fresh execution environment: spawn → response in ms; throws on a wrong answer or after 20 s. */
async function coldStart(ric: string, c: Case, b: Bundle, taskRoot: string): Promise<number> {
  const fn = new LocalFunction({ name: `bench-${c.target}`, timeoutMs: RUN_TIMEOUT_MS });
  const { id, address } = await fn.addInstance();
  let t1 = Number.NaN;
  // Queued before the spawn: the RIC's first poll of /next gets it.
  const answered = fn.invoke(JSON.parse(event(c.target))).then((outcome) => {
    t1 = performance.now();
    return outcome;
  });
  let output = "";
  let timer: NodeJS.Timeout | undefined;
  const t0 = performance.now();
  const child = spawn(NODE, [...LAMBDA_NODE_ARGS, ric], {
    cwd: taskRoot,
    detached: true, // its own process group, stopped as a whole
    stdio: ["ignore", "pipe", "pipe"],
    env: lambdaEnv(c, taskRoot, address),
  });
  live.add(child);
  const exited = once(child, "exit").then(
    () => fn.instanceGone(id),
    () => fn.instanceGone(id),
  );
  const collect = (chunk: string): void => {
    output = (output + chunk).slice(-4000);
  };
  child.stdout?.setEncoding("utf8").on("data", collect);
  child.stderr?.setEncoding("utf8").on("data", collect);
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new Error(
            `${c.name}: no response from ${b.file} through aws-lambda-ric within ${RUN_TIMEOUT_MS / 1000} s; its output:\n${output}`,
          ),
        );
      }, RUN_TIMEOUT_MS);
    });
    const outcome = await Promise.race([answered, timeout]);
    const wrong =
      wrongAnswer(outcome) ??
      (c.cached && output.includes("code cache not used") ? "its code cache was not used" : undefined);
    if (wrong !== undefined) {
      throw new Error(
        `${c.name}: the cold invocation did not answer add(2, 3) = 5: ${wrong}; output:\n${output}`,
      );
    }
    return t1 - t0;
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(child, "SIGTERM");
      const kill = setTimeout(() => signalGroup(child, "SIGKILL"), 3_000);
      await exited;
      clearTimeout(kill);
    }
    live.delete(child);
    await fn.close();
  }
}

const fmt = (loads: number[]): string => loads.map((x) => x.toFixed(2)).join(" / ");

export async function ricColdStartBench(log: (line: string) => void = () => {}): Promise<RicColdStartResult> {
  if (!Number.isInteger(RUNS) || RUNS < 1)
    throw new Error(`RIC_RUNS must be a positive integer, not ${RUNS}`);
  const ric = ricEntry();
  const ricVersion = (
    JSON.parse(readFileSync(join(ric, "..", "package.json"), "utf8")) as { version: string }
  ).version;
  const node = execFileSync(NODE, ["--version"], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "portico-ric-"));
  try {
    // One task root per target, as each function has its own; both Portico cases share one bundle.
    const bundles = new Map<LambdaTarget, Bundle>();
    for (const { target } of CASES) {
      if (!bundles.has(target)) bundles.set(target, await bundle(target, join(dir, target)));
    }
    const cached = await cachedBundle(join(dir, "cached"));
    const run = (c: Case): Promise<number> => {
      if (c.cached) return coldStart(ric, c, cached, join(dir, "cached", "code-cache"));
      const b = bundles.get(c.target) as Bundle;
      return coldStart(ric, c, b, join(dir, c.target));
    };
    // One unmeasured pass: checks every case answers and warms the file cache (node, RIC, bundles).
    for (const c of CASES) await run(c);
    log(`verified ${CASES.length} cases answer add(2, 3) = 5 through aws-lambda-ric ${ricVersion}`);
    const start = loadavg();
    const times = new Map<Case, number[]>(CASES.map((c) => [c, []]));
    for (let round = 0; round < RUNS; round++) {
      // Every other run in reverse, so no case always starts first.
      for (const c of round % 2 === 0 ? CASES : [...CASES].reverse()) {
        const ms = await run(c);
        times.get(c)?.push(ms);
        log(`  run ${round + 1} ${c.name}: ${ms.toFixed(1)} ms`);
      }
    }
    const end = loadavg();
    const medianOf = (name: string): number =>
      median(times.get(CASES.find((c) => c.name === name) as Case) ?? []);
    const bare = medianOf("bare");
    const cases: RicCase[] = CASES.map((c) => {
      const runsMs = times.get(c) ?? [];
      return {
        name: c.name,
        medianMs: median(runsMs),
        minMs: Math.min(...runsMs),
        runsMs,
        vsBare: median(runsMs) / bare,
      };
    });
    const ratios = {
      porticoVsBare: medianOf("portico") / bare,
      porticoSecretVsBare: medianOf("portico + secret") / bare,
      porticoCachedVsBare: medianOf("portico + code cache + secret") / bare,
    };
    const markdown = [
      `## (f) Lambda cold start through the runtime interface client (${RUNS} interleaved runs)`,
      "",
      `Each run is a fresh execution environment: the pinned Node (${node}) running \`aws-lambda-ric\` ${ricVersion} (the`,
      "Node.js runtime of the Lambda base images) in its own process group, polling a local Runtime API on 127.0.0.1",
      "(`LocalFunction`, examples/quickstart/lambda/test/_runtime-api.ts), stopped after its response. The HTTP API v2",
      "`tools/call add {a: 2, b: 3}` event of (c) is queued before the spawn; a run lasts from just before the spawn",
      "until the Runtime API has the whole response (verified to carry `5`). Bundles as in (c). `portico + secret`:",
      "the same bundle with `PORTICO_SECRET` in the function's environment (passed as `secret`, so no warning on",
      "stderr). `portico + code cache + secret`: the same app bundled as CommonJS with its V8 code cache",
      "(`portico-lambda-cache`), handler `index.handler`. node runs with the Lambda bootstrap's flags",
      `(\`${LAMBDA_NODE_ARGS.join(" ")}\`). One unmeasured pass first; every other run in reverse order.`,
      `Load average at start ${fmt(start)}, at end ${fmt(end)}.`,
      "",
      "| target | median | min | median vs bare |",
      "|---|---:|---:|---:|",
      ...cases.map(
        (c) =>
          `| ${c.name} | ${c.medianMs.toFixed(1)} ms | ${c.minMs.toFixed(1)} ms | ${c.vsBare.toFixed(2)}× |`,
      ),
    ].join("\n");
    return {
      markdown,
      runs: RUNS,
      ric: { version: ricVersion, node },
      loadAverage: { start, end },
      cases,
      ratios,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const host = machine();
  const result = await ricColdStartBench((line) => process.stdout.write(`${line}\n`));
  process.stdout.write(
    `\n# Lambda cold start through aws-lambda-ric, ${new Date().toISOString().slice(0, 10)}\n\n` +
      `Machine: ${host.os}, ${host.cpus}× ${host.cpuModel}, ${host.memoryGb} GB, Node ${host.node}; ` +
      `load average at start ${fmt(host.loadAverage)}.\n\n${result.markdown}\n`,
  );
}
