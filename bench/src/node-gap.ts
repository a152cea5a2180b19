/**
 * (j) Where the Node adapter's time goes, against raw node:http: the same 2026-07-28 `add` call over
 * loopback (server on CPU 0, autocannon on CPU 1, as (b)) to raw node:http, to Portico's Node
 * adapter with an app that only reads the body, with one that first reads what the core reads
 * (headers, URL, signal), and to the core (gap-server.ts). Interleaved rounds; the server's CPU time
 * per request, medians. The steps between rows say what each layer costs in a server: what is left
 * for the core if the adapter is to reach a given share of raw node:http, and what it takes.
 */
import { spawnPinned, stop } from "./_children.ts";
import { GAP_VARIANTS, type GapVariant } from "./gap-server.ts";
import {
  type LoadSettings,
  type LoopbackCase,
  listening,
  measureLoopback,
  prepareCase,
  SERVER_CPU,
  startServer,
} from "./loopback.ts";
import { median } from "./report.ts";

type Row = "raw" | GapVariant;
const ROWS: readonly Row[] = ["raw", ...GAP_VARIANTS];

/** What each row adds to the one before it. */
const STEP: Record<Row, string> = {
  raw: "node:http, `JSON.parse` and `JSON.stringify` only",
  adapter: "the adapter: request and context objects, body, buffered answer",
  "adapter+reads": "the adapter's headers, URL and signal, read as the core reads them",
  portico: "the core: checks, JSON-RPC, the call, the tool, the answer",
};

export interface GapRow {
  row: Row;
  rps: number;
  cpuUs: number;
  rounds: { rps: number; cpuUs: number }[];
}

export interface GapResult {
  rows: GapRow[];
  markdown: string;
}

export interface GapSettings {
  rounds: number;
  load: LoadSettings;
}

async function start(row: Row): Promise<{ c: LoopbackCase; close(): Promise<void> }> {
  if (row === "raw") {
    const server = await startServer("raw", "raw");
    return { c: await prepareCase(server, "modern"), close: () => stop(server.child) };
  }
  const child = spawnPinned(SERVER_CPU, "./gap-server.ts", [row]);
  try {
    const { url, gcMs } = await listening(child, `gap server ${row}`);
    const server = {
      target: row as LoopbackCase["target"],
      bridge: "portico-node" as const,
      url,
      child,
      gcMs,
    };
    return { c: await prepareCase(server, "modern"), close: () => stop(child) };
  } catch (error) {
    await stop(child);
    throw error;
  }
}

export async function nodeGapBench(settings: GapSettings, log: (line: string) => void): Promise<GapResult> {
  const servers = new Map<Row, Awaited<ReturnType<typeof start>>>();
  try {
    for (const row of ROWS) servers.set(row, await start(row));
    const measured = new Map<Row, { rps: number; cpuUs: number }[]>(ROWS.map((r) => [r, []]));
    const measure = async (row: Row) => {
      const server = servers.get(row);
      if (server === undefined) throw new Error(`no server for ${row}`);
      const result = await measureLoopback(server.c, settings.load);
      return { rps: result.rps, cpuUs: result.cpuUsPerRequest };
    };
    for (const row of ROWS) await measure(row); // one unmeasured pass: every server warm
    for (let round = 0; round < settings.rounds; round++) {
      for (const row of round % 2 === 0 ? ROWS : [...ROWS].reverse())
        measured.get(row)?.push(await measure(row));
      log(`  node gap round ${round + 1}/${settings.rounds}`);
    }
    const rows = ROWS.map((row): GapRow => {
      const rounds = measured.get(row) ?? [];
      return {
        row,
        rps: median(rounds.map((r) => r.rps)),
        cpuUs: median(rounds.map((r) => r.cpuUs)),
        rounds,
      };
    });
    return { rows, markdown: markdown(rows, settings) };
  } finally {
    await Promise.all([...servers.values()].map((s) => s.close()));
  }
}

function markdown(rows: GapRow[], settings: GapSettings): string {
  const raw = rows.find((r) => r.row === "raw");
  const lines = [
    "## (j) Where the Node adapter's time goes",
    "",
    `The 2026-07-28 \`add\` call over loopback, ${settings.rounds} interleaved rounds × (${settings.load.warmupSec} s warm-up + ` +
      `${settings.load.durationSec} s), ${settings.load.connections} connections, server on CPU 0, autocannon on CPU 1. ` +
      "CPU µs/req: the server's CPU time per answered request (median of rounds); step: what the row adds to the row above it.",
    "",
    "| server | adds | median req/s | CPU µs/req | step µs | CPU vs raw |",
    "|---|---|---:|---:|---:|---:|",
  ];
  let previous: number | undefined;
  for (const r of rows) {
    const step = previous === undefined ? "—" : (r.cpuUs - previous).toFixed(1);
    const vsRaw = raw === undefined ? Number.NaN : raw.cpuUs / r.cpuUs;
    lines.push(
      `| ${r.row} | ${STEP[r.row]} | ${Math.round(r.rps).toLocaleString("en-US")} | ${r.cpuUs.toFixed(1)} | ${step} | ${vsRaw.toFixed(3)}× |`,
    );
    previous = r.cpuUs;
  }
  const reads = rows.find((r) => r.row === "adapter+reads");
  if (raw !== undefined && reads !== undefined) {
    // The CPU a request may take for raw/ratio = goal: what the core may add on top of the adapter.
    const budget = raw.cpuUs / 0.85 - reads.cpuUs;
    lines.push(
      "",
      `For the adapter to reach 0.85× raw's CPU per request, the core may add ${budget.toFixed(1)} µs of server CPU ` +
        "(the adapter's req/s goal is a ratio of req/s, which (b) reports; CPU per request is what bounds it).",
    );
  }
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.env.BENCH_QUICK === "1";
  const result = await nodeGapBench(
    { rounds: quick ? 1 : 7, load: { connections: 10, warmupSec: 1, durationSec: quick ? 1 : 2 } },
    (l) => console.log(l),
  );
  console.log(`\n${result.markdown}`);
}
