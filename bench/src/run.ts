/**
 * `pnpm bench`: (a) in-process fetch throughput, (b) loopback HTTP throughput, then a table,
 * ratios against the goals, and bench/results/<date>-throughput.{json,md}. Part (c) is the Lambda
 * bundle size and cold start (cold-start.ts), part (d) the Workers bundle size (workers-bundle.ts),
 * part (e) memory per idle session (idle-sessions.ts), part (f) the Lambda cold start of the whole
 * process through the official runtime interface client (ric-cold-start.ts), part (g) the Workers
 * CPU time per request in workerd (workers-cpu.ts), part (h) the Vercel function cold start under
 * `vercel dev`, a process per request (vercel-cold-start.ts), part (i) the observability overhead
 * (observe-overhead.ts), part (j) where the Node adapter's time goes against raw node:http (node-gap.ts),
 * part (k) latency at fixed rates, raw node:http beside the Node adapter (latency.ts).
 * The environment variables are listed in USAGE below (`pnpm bench --help` prints it) and in
 * bench/README.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { killAll } from "./_children.ts";
import { distProblem } from "./_dist-check.ts";
import { BASELINE_REF, type Baseline, baselineSuffix, isBaseline, prepareBaseline } from "./baseline.ts";
import { type ColdStartResult, coldStartBench } from "./cold-start.ts";
import { type IdleSessionsResult, idleSessionsBench } from "./idle-sessions.ts";
import { type InProcessCase, measureInProcess, prepareInProcess } from "./in-process.ts";
import { type LatencyBenchResult, latencyBench, latencySettings } from "./latency.ts";
import {
  type LoadSettings,
  type LoopbackCase,
  type LoopbackTarget,
  measureLoopback,
  prepareLoopback,
} from "./loopback.ts";
import { type GapResult, nodeGapBench } from "./node-gap.ts";
import { type OverheadResult, observeOverheadBench } from "./observe-overhead.ts";
import {
  type BaselineRatio,
  baselineRatios,
  baselineTable,
  inProcessTable,
  loopbackRatios,
  loopbackTable,
  type Machine,
  machine,
  median,
  type Row,
  ratioTable,
} from "./report.ts";
import { verify } from "./requests.ts";
import { type RicColdStartResult, ricColdStartBench } from "./ric-cold-start.ts";
import { ERAS, PARTIAL, RAW, SUPPORTED_ERAS, TARGETS, type TargetName } from "./targets.ts";
import { type VercelColdStartResult, vercelColdStartBench } from "./vercel-cold-start.ts";
import { workersBundleBench } from "./workers-bundle.ts";
import { type WorkersCpuResult, workersCpuBench } from "./workers-cpu.ts";

const USAGE = `Usage: pnpm bench [--help]   (the settings are environment variables)

  BENCH_QUICK=1         a short smoke pass: 1 round × 300 ms in process, 1 round × (1 s warm-up + 1 s)
                        over loopback, 5 cold starts; results named <date>-throughput-quick.*
  BENCH_ONLY=a,b        only these targets: portico, sdk-v2, mcp-lite, bare, raw (results named -partial)
  BENCH_SKIP=a,b        skip parts: in-process, loopback, cold-start, workers-bundle, idle-sessions,
                        ric-cold-start, workers-cpu, vercel-cold-start, observe, node-gap, latency
  BENCH_BASELINE=<ref>  also measure Portico at a git ref (commit, tag, branch) in the same run, as
                        "portico@<ref>": checked out into a temporary git worktree (removed at the end),
                        installed from the pnpm store (offline first), its own core served through its
                        own Node adapter (in process and loopback, both eras, right after "portico" in
                        every round) and bundled with its own Lambda adapter (size, cold start); the
                        report adds new/old ratios (medians and paired rounds); results named -vs-<ref>
  COLD_RUNS=n           cold starts per Lambda target (default 15, 5 with BENCH_QUICK)
  RIC_RUNS=n            cold starts per target through aws-lambda-ric (default 11, 3 with BENCH_QUICK)
  VERCEL_RUNS=n         requests per function under vercel dev, each a new process (default 11, 3 with BENCH_QUICK)

  e.g. BENCH_BASELINE=c5cd706 BENCH_ONLY=portico,raw pnpm bench
`;

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const quick = process.env.BENCH_QUICK === "1";
const skip = new Set((process.env.BENCH_SKIP ?? "").split(",").map((part) => part.trim()));
const skipInProcess = skip.has("in-process");
const skipLoopback = skip.has("loopback");
const skipColdStart = skip.has("cold-start");
const skipWorkersBundle = skip.has("workers-bundle");
const skipIdleSessions = skip.has("idle-sessions");
const skipRicColdStart = skip.has("ric-cold-start");
const skipWorkersCpu = skip.has("workers-cpu");
const skipVercelColdStart = skip.has("vercel-cold-start");
const skipObserve = skip.has("observe");
const skipNodeGap = skip.has("node-gap");
const skipLatency = skip.has("latency");
if (!skipVercelColdStart) {
  const problem = distProblem();
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
}
const settings = {
  inProcessRounds: quick ? 1 : 5,
  inProcessMs: quick ? 300 : 1000,
  loopbackRounds: quick ? 1 : 11,
  load: (quick
    ? { connections: 10, warmupSec: 1, durationSec: 1 }
    : { connections: 10, warmupSec: 1, durationSec: 2 }) as LoadSettings,
};

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The targets in report order: the baseline's Portico right after Portico. */
function withBaseline<T extends string>(targets: readonly T[], baseline: Baseline | undefined): string[] {
  return targets.flatMap((t) => (t === "portico" && baseline !== undefined ? [t, baseline.name] : [t]));
}

async function inProcess(baseline: Baseline | undefined): Promise<Row[]> {
  log(
    `\n(a) in-process handler.fetch, ${settings.inProcessRounds} rounds × ${settings.inProcessMs} ms per target`,
  );
  const cases = await prepareInProcess(baseline);
  log(`verified ${cases.length} target × era cases answer add(2, 3) = 5`);
  const rounds = new Map<InProcessCase, number[]>(cases.map((c) => [c, []]));
  for (const c of cases) await measureInProcess(c, Math.min(300, settings.inProcessMs)); // warm-up
  for (let round = 0; round < settings.inProcessRounds; round++) {
    // Every other round runs in reverse, so neither side of a pair always goes first.
    for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
      const rps = await measureInProcess(c, settings.inProcessMs);
      rounds.get(c)?.push(rps);
      log(`  round ${round + 1} ${c.target}/${c.era}: ${Math.round(rps)} req/s`);
    }
  }
  const rows: Row[] = [];
  for (const target of withBaseline(TARGETS, baseline)) {
    for (const era of ERAS) {
      const c = cases.find((x) => x.target === target && x.era === era);
      const values = c ? (rounds.get(c) ?? []) : [];
      rows.push({ target, era, bridge: "in-process", rps: c ? median(values) : null, rounds: values });
    }
  }
  return rows;
}

async function loopback(baseline: Baseline | undefined): Promise<Row[]> {
  const { warmupSec, durationSec, connections } = settings.load;
  log(
    `\n(b) loopback HTTP, ${settings.loopbackRounds} rounds × (${warmupSec} s warm-up + ${durationSec} s), ` +
      `${connections} connections, server on CPU 0, autocannon on CPU 1`,
  );
  const setup = await prepareLoopback(baseline);
  try {
    log(`verified ${setup.cases.length} target × bridge × era cases answer add(2, 3) = 5`);
    const rounds = new Map<LoopbackCase, number[]>(setup.cases.map((c) => [c, []]));
    const cpuRounds = new Map<LoopbackCase, number[]>(setup.cases.map((c) => [c, []]));
    const gcRounds = new Map<LoopbackCase, number[]>(setup.cases.map((c) => [c, []]));
    const p99Rounds = new Map<LoopbackCase, number[]>(setup.cases.map((c) => [c, []]));
    // One unmeasured pass first, so no case's first round pays for its JIT warming up.
    if (!quick) for (const c of setup.cases) await measureLoopback(c, { ...settings.load, durationSec: 1 });
    for (let round = 0; round < settings.loopbackRounds; round++) {
      // Every other round runs in reverse, so a slow drift of the machine does not favour one side.
      const order = round % 2 === 0 ? setup.cases : [...setup.cases].reverse();
      for (const c of order) {
        const result = await measureLoopback(c, settings.load);
        // Still a correct answer after the load (sessions alive, no error mode).
        await verify(
          await fetch(c.url, { method: "POST", headers: c.call.headers, body: c.call.body }),
          c.target,
        );
        rounds.get(c)?.push(result.rps);
        cpuRounds.get(c)?.push(result.cpuUsPerRequest);
        gcRounds.get(c)?.push(result.gcUsPerRequest);
        p99Rounds.get(c)?.push(result.latencyP99);
        log(
          `  round ${round + 1} ${c.target}/${c.bridge}/${c.era}: ${Math.round(result.rps)} req/s ` +
            `(p50 ${result.latencyP50} ms, p99 ${result.latencyP99} ms), ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req (GC ${result.gcUsPerRequest.toFixed(2)})`,
        );
      }
    }
    const rows: Row[] = [];
    const targets = withBaseline<LoopbackTarget>(RAW ? ["raw", ...TARGETS] : [...TARGETS], baseline);
    for (const target of targets) {
      // The baseline is served by its own Node adapter only.
      const bridges =
        target === "raw" ? ["raw"] : isBaseline(target) ? ["portico-node"] : ["portico-node", "hono-node"];
      for (const era of ERAS) {
        for (const bridge of bridges) {
          const c = setup.cases.find((x) => x.target === target && x.era === era && x.bridge === bridge);
          const supported =
            target === "raw" ||
            SUPPORTED_ERAS[isBaseline(target) ? "portico" : (target as TargetName)].includes(era);
          const values = c ? (rounds.get(c) ?? []) : [];
          const cpu = c ? (cpuRounds.get(c) ?? []) : [];
          const gc = c ? (gcRounds.get(c) ?? []) : [];
          const p99 = c ? (p99Rounds.get(c) ?? []) : [];
          rows.push({
            target,
            era,
            bridge,
            rps: supported && c ? median(values) : null,
            rounds: values,
            cpuUs: supported && c ? median(cpu) : null,
            cpuRounds: cpu,
            gcUs: supported && c ? median(gc) : null,
            gcRounds: gc,
            p99Ms: supported && c ? median(p99) : null,
          });
        }
      }
    }
    return rows;
  } finally {
    await setup.close();
  }
}

/** Whether any part that runs would measure the baseline (the throughput parts only with Portico among the targets). */
function baselineUsed(): boolean {
  return ((!skipInProcess || !skipLoopback) && TARGETS.includes("portico")) || !skipColdStart;
}

async function main(): Promise<void> {
  const started = Date.now();
  const host = machine();
  log(
    `Portico throughput bench${quick ? " (BENCH_QUICK)" : ""}: ${host.os}, ${host.cpus}× ${host.cpuModel}, node ${host.node}`,
  );
  if (BASELINE_REF !== undefined && !baselineUsed()) {
    log(`BENCH_BASELINE=${BASELINE_REF} ignored: no part that runs measures Portico`);
  }
  // Prepared (worktree, install) before anything is measured; removed at the end, on failure too.
  const baseline =
    BASELINE_REF !== undefined && baselineUsed() ? prepareBaseline(BASELINE_REF, log) : undefined;
  try {
    await bench(started, host, baseline);
  } finally {
    baseline?.remove();
  }
}

async function bench(started: number, host: Machine, baseline: Baseline | undefined): Promise<void> {
  const inProcessRows = skipInProcess ? [] : await inProcess(baseline);
  const loopbackRows = skipLoopback ? [] : await loopback(baseline);
  const ratios = loopbackRatios(loopbackRows);
  const vsBaseline: BaselineRatio[] =
    baseline === undefined ? [] : baselineRatios(baseline.name, inProcessRows, loopbackRows);
  const elapsedSec = Math.round((Date.now() - started) / 1000);

  const sections = [
    "## (a) In-process `handler.fetch` (sequential loop, median of rounds)",
    inProcessTable(inProcessRows),
    "## (b) Loopback HTTP (autocannon, median of rounds)",
    loopbackTable(loopbackRows),
    "## Ratios (loopback) vs goals",
    "The goals are for Portico served through its own Node adapter (`@portico/adapter-node`): ≥0.85× raw node:http (p99 ≤ 1 ms),\n" +
      "≥1.3× mcp-lite and ≥8× SDK v2 on the same bridge, in both eras. Portico behind @hono/node-server is listed for context.",
    ratioTable(ratios),
  ];
  let cold: ColdStartResult | undefined;
  if (!skipColdStart) {
    log("\n(c) Lambda bundle size and cold start");
    cold = await coldStartBench(baseline);
    sections.push(cold.markdown);
    vsBaseline.push(...cold.baseline);
  }
  if (!skipWorkersBundle) {
    log("\n(d) Workers bundle size");
    sections.push(await workersBundleBench());
  }
  let idle: IdleSessionsResult | undefined;
  if (!skipIdleSessions) {
    log("\n(e) Memory per idle legacy session");
    idle = idleSessionsBench();
    sections.push(
      "## (e) Memory per idle legacy session",
      `Portico on the default memory stores, sessions opened (initialize + initialized) and left idle, ` +
        `after GC, median of ${idle.runs} fresh processes per row (\`src/idle-sessions.ts\`). Goal: RSS ≤ 1.6 KiB per session. ` +
        `"Total" divides all RSS growth after ${idle.sessions} sessions by their number: it includes V8's young generation ` +
        `growing with the run's allocations (a fixed cost, not per session; the quotient rises with the count). "Marginal" is ` +
        `what each further session costs: the RSS slope from ${idle.sessions} to ${4 * idle.sessions} sessions, young ` +
        `generation held at 16 MiB.\n\n` +
        `| figure | RSS per session (KiB) | heap per session (KiB) |\n| --- | ---: | ---: |\n` +
        `| marginal (${idle.sessions} → ${4 * idle.sessions}) | ${(idle.marginalRssBytesPerSession / 1024).toFixed(2)} | ${(idle.marginalHeapBytesPerSession / 1024).toFixed(2)} |\n` +
        `| total (${idle.sessions}) | ${(idle.rssBytesPerSession / 1024).toFixed(2)} | ${(idle.heapBytesPerSession / 1024).toFixed(2)} |`,
    );
  }
  let ric: RicColdStartResult | undefined;
  if (!skipRicColdStart) {
    log("\n(f) Lambda cold start through the runtime interface client (aws-lambda-ric)");
    ric = await ricColdStartBench(log);
    sections.push(ric.markdown);
  }
  let workersCpu: WorkersCpuResult | undefined;
  if (!skipWorkersCpu) {
    log("\n(g) Workers CPU time per request (workerd under wrangler dev)");
    workersCpu = await workersCpuBench(log);
    sections.push(workersCpu.markdown);
  }
  let vercelCold: VercelColdStartResult | undefined;
  if (!skipVercelColdStart) {
    log("\n(h) Vercel function cold start under vercel dev (a process per request)");
    vercelCold = await vercelColdStartBench(log);
    sections.push(vercelCold.markdown);
  }
  let observeOverhead: OverheadResult | undefined;
  if (!skipObserve) {
    log("\n(i) Observability overhead (@portico/observe off, silent, logs, logs + metrics)");
    observeOverhead = await observeOverheadBench(
      {
        inProcessRounds: quick ? 1 : 7,
        inProcessMs: settings.inProcessMs,
        loopbackRounds: quick ? 1 : 7,
        load: settings.load,
      },
      log,
    );
    sections.push(observeOverhead.markdown);
  }
  let nodeGap: GapResult | undefined;
  if (!skipNodeGap) {
    log(
      "\n(j) Where the Node adapter's time goes (raw node:http → adapter → adapter + what the core reads → core)",
    );
    nodeGap = await nodeGapBench({ rounds: quick ? 1 : 7, load: settings.load }, log);
    sections.push(nodeGap.markdown);
  }
  let latency: LatencyBenchResult | undefined;
  if (!skipLatency) {
    log("\n(k) Latency at fixed rates (raw node:http, Portico's Node adapter)");
    latency = await latencyBench(latencySettings(quick), log);
    sections.push(latency.markdown);
  }
  if (baseline !== undefined) {
    sections.push(
      `## New vs ${baseline.name} (commit ${baseline.commit.slice(0, 12)})`,
      `"portico" is this tree; "${baseline.name}" is the same \`add\` app on the core at that ref, served through that ref's\n` +
        "Node adapter (loopback) and bundled with that ref's Lambda adapter, measured in the same run, back to back with\n" +
        '"portico" in every round. new/old of medians: the ratio of the two medians; paired rounds: the median of the\n' +
        "per-round (per-run) new/old ratios. req/s: no loss at ≥ 1; CPU time, bytes and ms: no loss at ≤ 1.",
      baselineTable(baseline.name, vsBaseline),
    );
  }
  log(`\n${sections.join("\n\n")}\n\ntotal ${elapsedSec} s`);

  const date = new Date().toISOString().slice(0, 10);
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  const base = `${dir}${date}-throughput${baselineSuffix(baseline)}${quick ? "-quick" : ""}${PARTIAL || skip.size > 1 || (skip.size === 1 && !skip.has("")) ? "-partial" : ""}`;
  mkdirSync(dir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    quick,
    machine: host,
    settings,
    elapsedSec,
    inProcess: inProcessRows,
    loopback: loopbackRows,
    ratios,
    ...(ric === undefined
      ? {}
      : {
          ricColdStart: {
            runs: ric.runs,
            ric: ric.ric,
            loadAverage: ric.loadAverage,
            cases: ric.cases,
            ratios: ric.ratios,
          },
        }),
    ...(cold === undefined ? {} : { coldStart: cold.figures, dynamodbColdStart: cold.dynamodb }),
    ...(idle === undefined ? {} : { idleSessions: idle }),
    ...(workersCpu === undefined ? {} : { workersCpu: workersCpu.json }),
    ...(vercelCold === undefined ? {} : { vercelColdStart: vercelCold.json }),
    ...(observeOverhead === undefined ? {} : { observeOverhead: observeOverhead.rows }),
    ...(nodeGap === undefined ? {} : { nodeGap: nodeGap.rows }),
    ...(latency === undefined ? {} : { latency: latency.rows.map(({ rounds: _rounds, ...row }) => row) }),
    ...(baseline === undefined
      ? {}
      : {
          baseline: {
            ref: baseline.ref,
            commit: baseline.commit,
            name: baseline.name,
            ratios: vsBaseline,
          },
        }),
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  const md = [
    `# Throughput, ${date}${quick ? " (quick smoke run, not representative)" : ""}`,
    "",
    `Machine: ${host.os}, ${host.cpus}× ${host.cpuModel}, ${host.memoryGb} GB, Node ${host.node}; load average at start ${host.loadAverage.join(" / ")}, at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" / ")}.`,
    "",
    "Request: `tools/call add {a: 2, b: 3}`; every case verified to answer `5` before and after measuring.",
    "Legacy: `initialize` + `notifications/initialized` first, then the call with `Mcp-Session-Id` when the peer issues one",
    "(SDK v2 and mcp-lite are stateless in legacy mode and issue none). Modern (2026-07-28): `_meta` envelope +",
    "`MCP-Protocol-Version` / `Mcp-Method` / `Mcp-Name` headers. mcp-lite 0.10.0 does not serve 2026-07-28 (n/a).",
    "",
    `In-process: ${settings.inProcessRounds} interleaved rounds × ${settings.inProcessMs} ms per case, one request at a time.`,
    `Loopback: each server in its own process on CPU 0 (\`taskset -c 0\`), autocannon in another on CPU 1,`,
    `${settings.load.connections} connections, pipelining 1, ${settings.load.warmupSec} s warm-up + ${settings.load.durationSec} s measured,`,
    `${settings.loopbackRounds} interleaved rounds after one unmeasured warm-up pass. Total run ${elapsedSec} s. CPU µs/req: the server process's`,
    "user + system time (from /proc) over the measured window divided by the requests answered; the CPU-time",
    "ratio is the inverse ratio of those. GC µs/req: the part of it the server spent in garbage collection (its",
    "`gc` performance entries over the same window). Within a round the compared cases run back to back (every other round in",
    'reverse order); "paired rounds" is the median of the per-round ratios. Goals are judged on the ratio of req/s medians.',
    "",
    ...(baseline === undefined
      ? []
      : [
          `Baseline: \`BENCH_BASELINE=${baseline.ref}\` (commit ${baseline.commit}), checked out into a temporary git worktree,`,
          "installed from the pnpm store; its core and adapters were loaded by absolute path from their source",
          "(their `@portico/source` entries, as the current tree's are).",
          "",
        ]),
    ...sections.flatMap((s) => [s, ""]),
  ].join("\n");
  writeFileSync(`${base}.md`, md);
  log(`wrote ${base}.json and ${base}.md`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(killAll);
