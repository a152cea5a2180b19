/**
 * (k) Latency at fixed rates: the `add` call to raw node:http and to Portico's Node adapter (both
 * eras; server on CPU 0, the client on CPU 1, as (b)), sent open-loop at rates below both servers'
 * capacity, each request timed to the µs from the moment it was due (latency-client.ts). (b) loads the servers flat out, where
 * a request's latency is mostly its wait behind the others (10 connections at 7,000 req/s queue
 * ~1.4 ms on average), and autocannon counts whole milliseconds; this part shows what a request
 * costs when the server is not saturated. Interleaved rounds, medians of the rounds' percentiles.
 */
import { spawnPinned, stop } from "./_children.ts";
import { type LatencyJob, type LatencyResult, PRIME_SEC } from "./latency-client.ts";
import { LOAD_CPU, type LoopbackCase, prepareCase, type RunningServer, startServer } from "./loopback.ts";
import { median } from "./report.ts";
import type { Era } from "./targets.ts";

export interface LatencySettings {
  /** Requests a second. */
  rates: number[];
  rounds: number;
  connections: number;
  warmupSec: number;
  durationSec: number;
}

export interface LatencyRow {
  rate: number;
  era: Era;
  server: "raw" | "portico";
  /** µs, medians over the rounds. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  rounds: LatencyResult[];
}

export interface LatencyBenchResult {
  rows: LatencyRow[];
  markdown: string;
}

const ERAS: readonly Era[] = ["modern", "legacy"];

/**
 * The client's young generation starts at 32 MB: its send loop allocates an Immediate every turn
 * (~60 MB/s), and with V8's default (1 MB, growing only with what survives) it collected ~70 times a
 * second, its threads sharing one CPU — ~90 ms of pauses in a 4 s window, up to 4–8 ms each, counted
 * as latency for raw and Portico alike. Now ~8 a second, each under 1 ms. The servers run with
 * Node's defaults.
 */
const CLIENT_FLAGS = ["--min-semi-space-size=32", "--max-semi-space-size=64"];

async function run(c: LoopbackCase, rate: number, settings: LatencySettings): Promise<LatencyResult> {
  const job: LatencyJob = {
    url: c.url,
    headers: c.call.headers,
    body: c.call.body,
    rate,
    connections: settings.connections,
    warmupSec: settings.warmupSec,
    durationSec: settings.durationSec,
  };
  const label = `latency ${c.target}/${c.era} at ${rate}/s`;
  const child = spawnPinned(LOAD_CPU, "./latency-client.ts", [JSON.stringify(job)], CLIENT_FLAGS);
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const limit = (PRIME_SEC + settings.warmupSec + settings.durationSec) * 1000 + 20_000;
      const timer = setTimeout(() => reject(new Error(`${label}: no result within ${limit} ms`)), limit);
      let text = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        text += chunk.toString("utf8");
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(text);
        else reject(new Error(`${label}: exit ${code}`));
      });
    });
    const result = JSON.parse(out) as LatencyResult;
    if (result.bad > 0 || !(result.p99 >= 0))
      throw new Error(`${label}: ${result.bad} of ${result.sent} answers were not the sum`);
    return result;
  } finally {
    await stop(child);
  }
}

export async function latencyBench(
  settings: LatencySettings,
  log: (line: string) => void,
): Promise<LatencyBenchResult> {
  const servers: RunningServer[] = [];
  try {
    servers.push(await startServer("raw", "raw"), await startServer("portico", "portico-node"));
    const cases: LoopbackCase[] = [];
    for (const era of ERAS) for (const s of servers) cases.push(await prepareCase(s, era));
    const rows: LatencyRow[] = [];
    for (const rate of settings.rates) {
      const results = new Map<LoopbackCase, LatencyResult[]>(cases.map((c) => [c, []]));
      for (const c of cases) await run(c, rate, { ...settings, durationSec: 1 }); // warm every pair
      for (let round = 0; round < settings.rounds; round++) {
        for (const c of round % 2 === 0 ? cases : [...cases].reverse())
          results.get(c)?.push(await run(c, rate, settings));
        log(`  latency at ${rate}/s round ${round + 1}/${settings.rounds}`);
      }
      for (const c of cases) {
        const rounds = results.get(c) ?? [];
        const med = (k: keyof LatencyResult) => median(rounds.map((r) => r[k]));
        rows.push({
          rate,
          era: c.era,
          server: c.target === "raw" ? "raw" : "portico",
          p50: med("p50"),
          p90: med("p90"),
          p99: med("p99"),
          p999: med("p999"),
          max: med("max"),
          rounds,
        });
      }
    }
    return { rows, markdown: markdown(rows, settings) };
  } finally {
    await Promise.all(servers.map((s) => stop(s.child)));
  }
}

const ms = (us: number) => (us / 1000).toFixed(2);

function markdown(rows: LatencyRow[], settings: LatencySettings): string {
  const lines = [
    "## (k) Latency at fixed rates",
    "",
    `The \`add\` call sent open-loop at fixed rates over ${settings.connections} keep-alive connections ` +
      `(a small node:net client on CPU 1, its young generation at 32 MB; server on CPU 0, Node's defaults), ${settings.rounds} interleaved rounds × (${PRIME_SEC} s priming + ${settings.warmupSec} s ` +
      `warm-up + ${settings.durationSec} s); each request timed from the moment it was due to the end of its answer, in ms; ` +
      "medians of the rounds' percentiles. The client's own time (its event loop, its framing) is in every figure, raw's included.",
    "",
    "| rate | era | server | p50 | p90 | p99 | p99.9 | max | p99 ≤ 1 ms | p99 vs raw |",
    "|---:|---|---|---:|---:|---:|---:|---:|---|---:|",
  ];
  for (const r of rows) {
    const raw = rows.find((x) => x.rate === r.rate && x.era === r.era && x.server === "raw");
    const vs = raw === undefined ? "—" : `${(r.p99 / raw.p99).toFixed(2)}×`;
    lines.push(
      `| ${r.rate.toLocaleString("en-US")}/s | ${r.era} | ${r.server} | ${ms(r.p50)} | ${ms(r.p90)} | ${ms(r.p99)} | ${ms(r.p999)} | ${ms(r.max)} | ${r.p99 <= 1000 ? "yes" : "no"} | ${vs} |`,
    );
  }
  return lines.join("\n");
}

export function latencySettings(quick: boolean): LatencySettings {
  return quick
    ? { rates: [1000], rounds: 1, connections: 10, warmupSec: 1, durationSec: 1 }
    : { rates: [1000, 3000], rounds: 3, connections: 10, warmupSec: 1, durationSec: 4 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await latencyBench(latencySettings(process.env.BENCH_QUICK === "1"), (l) => console.log(l));
  console.log(`\n${result.markdown}`);
}
