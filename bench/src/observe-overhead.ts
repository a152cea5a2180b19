/**
 * (i) What observability costs: Portico's `add` app plain and with `@portico/observe` switched off
 * (`enabled: false`), installed but silent, request logs at info, logs + EMF metrics — in process
 * (the (a) loop) and over loopback HTTP through Portico's Node adapter (as (b): server on CPU 0,
 * autocannon on CPU 1, the server's CPU time per request) — interleaved rounds, medians, each
 * against plain as the median of per-round ratios. Goals: ≤ 1 % with everything off, ≤ 10 % of warm
 * req/s with all on at info.
 */
import { spawnPinned, stop } from "./_children.ts";
import { portico } from "./apps/portico.ts";
import { closeDevNull, type Observed, porticoObserved } from "./apps/portico-observed.ts";
import { type InProcessCase, measureInProcess } from "./in-process.ts";
import { type LoadSettings, type LoopbackCase, listening, measureLoopback, SERVER_CPU } from "./loopback.ts";
import { median } from "./report.ts";
import { type CallSpec, prepareCall, verify } from "./requests.ts";
import type { Era } from "./targets.ts";

type Variant = "plain" | Observed;
const VARIANTS: readonly Variant[] = ["plain", "off", "silent", "logs", "logs+metrics", "all"];
const ERAS: readonly Era[] = ["modern", "legacy"];
const URL_ = "http://127.0.0.1/mcp";

export interface OverheadRow {
  part: "in-process" | "loopback";
  era: Era;
  variant: Variant;
  rps: number;
  rounds: number[];
  /** Loopback: the server's CPU µs per request (median). */
  cpuUs?: number;
  /** The median of the per-round ratios to plain's req/s. */
  vsPlain: number;
}

export interface OverheadSettings {
  inProcessRounds: number;
  inProcessMs: number;
  loopbackRounds: number;
  load: LoadSettings;
}

export interface OverheadResult {
  markdown: string;
  rows: OverheadRow[];
}

const key = (variant: Variant, era: Era) => `${variant}/${era}`;

/** Interleaved rounds over `keys` (every other round reversed) after one unmeasured pass. */
async function interleave<T>(
  keys: string[],
  rounds: number,
  measure: (key: string) => Promise<T>,
  log: (line: string) => void,
  label: string,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const k of keys) await measure(k);
  for (let round = 0; round < rounds; round++) {
    for (const k of round % 2 === 0 ? keys : [...keys].reverse()) results.get(k)?.push(await measure(k));
    log(`  ${label} round ${round + 1}/${rounds}`);
  }
  return results;
}

function rowsOf(
  part: OverheadRow["part"],
  rps: Map<string, number[]>,
  cpu?: Map<string, number[]>,
): OverheadRow[] {
  const rows: OverheadRow[] = [];
  for (const era of ERAS) {
    const plain = rps.get(key("plain", era)) ?? [];
    for (const variant of VARIANTS) {
      const values = rps.get(key(variant, era)) ?? [];
      const row: OverheadRow = {
        part,
        era,
        variant,
        rps: median(values),
        rounds: values,
        vsPlain: median(values.map((v, i) => v / (plain[i] ?? Number.NaN))),
      };
      const us = cpu?.get(key(variant, era));
      if (us !== undefined) row.cpuUs = median(us);
      rows.push(row);
    }
  }
  return rows;
}

async function inProcessPart(settings: OverheadSettings, log: (line: string) => void) {
  const cases = new Map<string, InProcessCase>();
  for (const variant of VARIANTS) {
    const handler = variant === "plain" ? portico() : porticoObserved(variant);
    const send = (headers: Record<string, string>, body: string) =>
      handler.fetch(new Request(URL_, { method: "POST", headers, body }));
    for (const era of ERAS) {
      const call = await prepareCall(era, send);
      await verify(await send(call.headers, call.body), `observe ${variant}/${era}`);
      const target = `portico ${variant}` as InProcessCase["target"];
      cases.set(key(variant, era), { target, era, handler, call });
    }
  }
  try {
    const rps = await interleave(
      [...cases.keys()],
      settings.inProcessRounds,
      (k) => measureInProcess(cases.get(k) as InProcessCase, settings.inProcessMs),
      log,
      "in-process",
    );
    return rowsOf("in-process", rps);
  } finally {
    closeDevNull();
  }
}

async function loopbackPart(settings: OverheadSettings, log: (line: string) => void) {
  const children: Awaited<ReturnType<typeof spawnPinned>>[] = [];
  try {
    const cases = new Map<string, LoopbackCase>();
    for (const variant of VARIANTS) {
      const child = spawnPinned(SERVER_CPU, "./observed-server.ts", [variant]);
      children.push(child);
      const { url, gcMs } = await listening(child, `observed server ${variant}`);
      const send = (headers: Record<string, string>, body: string) =>
        fetch(url, { method: "POST", headers, body });
      for (const era of ERAS) {
        const call: CallSpec = await prepareCall(era, send);
        await verify(await send(call.headers, call.body), `observe loopback ${variant}/${era}`);
        const target = `portico ${variant}` as LoopbackCase["target"];
        cases.set(key(variant, era), {
          target,
          bridge: "portico-node",
          era,
          url,
          call,
          pid: child.pid as number,
          gcMs,
        });
      }
    }
    const results = await interleave(
      [...cases.keys()],
      settings.loopbackRounds,
      (k) => measureLoopback(cases.get(k) as LoopbackCase, settings.load),
      log,
      "loopback",
    );
    const rps = new Map([...results].map(([k, r]) => [k, r.map((x) => x.rps)]));
    const cpu = new Map([...results].map(([k, r]) => [k, r.map((x) => x.cpuUsPerRequest)]));
    return rowsOf("loopback", rps, cpu);
  } finally {
    await Promise.all(children.map((c) => stop(c)));
  }
}

const GOALS: Partial<Record<Variant, number>> = { off: 0.99, all: 0.9 };

function table(rows: OverheadRow[]): string[] {
  const loopback = rows.some((r) => r.cpuUs !== undefined);
  return [
    `| era | variant | median req/s | vs plain |${loopback ? " CPU µs/req |" : ""} goal | met | rounds |`,
    `|---|---|---:|---:|${loopback ? "---:|" : ""}---|---|---|`,
    ...rows.map((r) => {
      const goal = GOALS[r.variant];
      const cells = [
        r.era,
        r.variant,
        Math.round(r.rps).toLocaleString("en-US"),
        `${r.vsPlain.toFixed(3)}×`,
        ...(loopback ? [(r.cpuUs ?? Number.NaN).toFixed(1)] : []),
        goal === undefined ? "—" : `≥ ${goal.toFixed(2)}×`,
        goal === undefined ? "—" : r.vsPlain >= goal ? "yes" : "no",
        r.rounds.map((v) => Math.round(v)).join(", "),
      ];
      return `| ${cells.join(" | ")} |`;
    }),
  ];
}

export async function observeOverheadBench(
  settings: OverheadSettings,
  log: (line: string) => void,
): Promise<OverheadResult> {
  const inProcess = await inProcessPart(settings, log);
  const loopback = await loopbackPart(settings, log);
  const markdown = [
    "## (i) Observability overhead",
    "",
    "Portico's `add` app, plain and with `@portico/observe`: `off` (`enabled: false`: nothing installed), `silent` (the",
    "middleware installed, `requests: false`, level `silent`: `ctx.logger` correlated, nothing written), `logs` (one JSON",
    "request line per call at info), `logs+metrics` (and one CloudWatch EMF document per call, the stores timed), `all` (and",
    "an OpenTelemetry server span per call: the SDK with async context and a batch processor whose exporter drops the spans);",
    "lines and documents go through the batching writer to /dev/null. vs plain: the median of the per-round ratios of req/s.",
    "",
    `In process (${settings.inProcessRounds} interleaved rounds × ${settings.inProcessMs} ms, as (a)):`,
    "",
    ...table(inProcess),
    "",
    `Loopback HTTP through Portico's Node adapter (${settings.loopbackRounds} interleaved rounds × (${settings.load.warmupSec} s warm-up + ${settings.load.durationSec} s), ${settings.load.connections} connections, as (b)):`,
    "",
    ...table(loopback),
  ].join("\n");
  return { markdown, rows: [...inProcess, ...loopback] };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.env.BENCH_QUICK === "1";
  const result = await observeOverheadBench(
    {
      inProcessRounds: quick ? 1 : 7,
      inProcessMs: quick ? 300 : 1000,
      loopbackRounds: quick ? 1 : 5,
      load: { connections: 10, warmupSec: 1, durationSec: quick ? 1 : 2 },
    },
    (l) => console.log(l),
  );
  console.log(`\n${result.markdown}`);
}
