/**
 * Medians, ratios against the goals, the console table and the markdown summary.
 */
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import type { Era } from "./targets.ts";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export interface Row {
  target: string;
  era: Era;
  bridge: string;
  /** Median req/s, or null when the target does not serve the era. */
  rps: number | null;
  rounds: number[];
  /** Loopback only: median server CPU time per request in µs, and the rounds it came from. */
  cpuUs?: number | null;
  cpuRounds?: number[];
  /** Loopback only: median GC time per request in µs (part of the CPU time), and its rounds. */
  gcUs?: number | null;
  gcRounds?: number[];
  /** Loopback only: median of the rounds' p99 latency in ms. */
  p99Ms?: number | null;
}

export interface Ratio {
  name: string;
  era: Era;
  /** The bridge the peer runs behind (Portico's is in `name`). */
  bridge: string;
  value: number | null;
  /**
   * The median of the per-round ratios: each round measures the two cases back to back, so this one
   * cancels most of what a shared machine's load does to both.
   */
  pairedValue: number | null;
  /** The same ratio from server CPU time per request (the inverse ratio of µs/req). */
  cpuValue: number | null;
  /** `null`: reported for context, no goal. */
  goal: number | null;
  met: boolean | null;
}

export interface Machine {
  os: string;
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  node: string;
  /** 1/5/15-minute load averages when the run started: a busy machine makes every figure noisy. */
  loadAverage: number[];
}

export function machine(): Machine {
  const list = cpus();
  return {
    os: `${platform()} ${release()}`,
    cpuModel: list[0]?.model ?? "unknown",
    cpus: list.length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function fmtRps(value: number | null): string {
  return value === null ? "n/a" : Math.round(value).toLocaleString("en-US");
}

export function fmtRatio(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "n/a" : `${value.toFixed(2)}×`;
}

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  return a == null || b == null || b === 0 ? null : a / b;
}

export function find(rows: Row[], target: string, era: Era, bridge: string): number | null {
  return findRow(rows, target, era, bridge)?.rps ?? null;
}

function findRow(rows: Row[], target: string, era: Era, bridge: string): Row | undefined {
  return rows.find((r) => r.target === target && r.era === era && r.bridge === bridge);
}

function pairedRatio(a: number[], b: number[]): number | null {
  const ratios = a.flatMap((x, i) => (b[i] ? [x / (b[i] as number)] : []));
  return ratios.length === 0 ? null : median(ratios);
}

/**
 * Portico vs raw, mcp-lite and SDK v2 on the loopback rows, per era. The goals are about Portico
 * served through its own Node adapter: against raw node:http, and against each peer on the same
 * bridge (also against mcp-lite behind @hono/node-server, where the issue measured the peers).
 * Portico behind @hono/node-server is compared too, without a goal: there both sides pay that
 * bridge's conversion.
 */
export function loopbackRatios(rows: Row[]): Ratio[] {
  const out: Ratio[] = [];
  const add = (name: string, era: Era, bridge: string, peer: [string, string], goal: number | null) => {
    const p = findRow(rows, "portico", era, bridge);
    const q = findRow(rows, peer[0], era, peer[1]);
    if (q !== undefined && q.rps === null) return; // the peer does not serve this era
    const value = p?.rps == null ? null : ratio(p.rps, q?.rps);
    const cpuValue = p?.rps == null ? null : ratio(q?.cpuUs, p.cpuUs);
    const pairedValue = p?.rps == null || q?.rps == null ? null : pairedRatio(p.rounds, q.rounds);
    const met = value === null || goal === null ? null : value >= goal;
    out.push({ name, era, bridge: peer[1], value, pairedValue, cpuValue, goal, met });
  };
  for (const era of ["legacy", "modern"] as const) {
    const node = "portico-node";
    add("Portico (Node adapter) / raw node:http", era, node, ["raw", "raw"], 0.85);
    add("Portico (Node adapter) / mcp-lite", era, node, ["mcp-lite", node], 1.3);
    add("Portico (Node adapter) / mcp-lite", era, node, ["mcp-lite", "hono-node"], 1.3);
    add("Portico (Node adapter) / SDK v2", era, node, ["sdk-v2", node], 8);
    add("Portico (Node adapter) / SDK v2", era, node, ["sdk-v2", "hono-node"], 8);
    add("Portico (hono-node) / mcp-lite", era, "hono-node", ["mcp-lite", "hono-node"], null);
    add("Portico (hono-node) / SDK v2", era, "hono-node", ["sdk-v2", "hono-node"], 8);
  }
  return out;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(headers), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function inProcessTable(rows: Row[]): string {
  return table(
    ["target", "era", "median req/s", "vs bare", "rounds"],
    rows.map((r) => [
      r.target,
      r.era,
      fmtRps(r.rps),
      fmtRatio(ratio(r.rps, find(rows, "bare", r.era, r.bridge))),
      r.rounds.map((x) => Math.round(x)).join(", "),
    ]),
  );
}

export function loopbackTable(rows: Row[]): string {
  return table(
    [
      "target",
      "era",
      "bridge",
      "median req/s",
      "rounds",
      "CPU µs/req",
      "CPU rounds",
      "GC µs/req",
      "GC rounds",
    ],
    rows.map((r) => [
      r.target,
      r.era,
      r.bridge,
      fmtRps(r.rps),
      r.rounds.map((x) => Math.round(x)).join(", "),
      r.rps === null || r.cpuUs == null ? "n/a" : r.cpuUs.toFixed(1),
      (r.cpuRounds ?? []).map((x) => x.toFixed(1)).join(", "),
      r.rps === null || r.gcUs == null ? "n/a" : r.gcUs.toFixed(2),
      (r.gcRounds ?? []).map((x) => x.toFixed(2)).join(", "),
    ]),
  );
}

export function ratioTable(ratios: Ratio[]): string {
  return table(
    [
      "ratio",
      "era",
      "peer behind",
      "of req/s medians",
      "paired rounds (median)",
      "of CPU-time medians",
      "goal",
      "met",
    ],
    ratios.map((r) => [
      r.name,
      r.era,
      r.bridge,
      fmtRatio(r.value),
      fmtRatio(r.pairedValue),
      fmtRatio(r.cpuValue),
      r.goal === null ? "—" : `≥${r.goal}×`,
      r.goal === null ? "—" : r.met === null ? "n/a" : r.met ? "yes" : "no",
    ]),
  );
}

/** One new/old pair: the current Portico against the baseline's (`BENCH_BASELINE`). */
export interface BaselineRatio {
  measure: string;
  /** An era, or "—" where the figure has none (bundle sizes). */
  era: string;
  unit: "req/s" | "µs/req" | "bytes" | "ms";
  /** Medians of the rounds (a bundle size is one figure). */
  newValue: number | null;
  oldValue: number | null;
  /** new / old of the medians. */
  value: number | null;
  /** The median of the per-round new/old ratios (rounds run the pair back to back); null if unpaired. */
  pairedValue: number | null;
  /** req/s: more is better (no loss at ≥ 1); CPU time, bytes and ms: less is better (no loss at ≤ 1). */
  higherIsBetter: boolean;
}

/** A new/old pair from two series of rounds (or two single figures), paired by round index. */
export function baselinePair(
  measure: string,
  era: string,
  unit: BaselineRatio["unit"],
  newRounds: number[],
  oldRounds: number[],
  paired = true,
): BaselineRatio {
  const newValue = newRounds.length === 0 ? null : median(newRounds);
  const oldValue = oldRounds.length === 0 ? null : median(oldRounds);
  return {
    measure,
    era,
    unit,
    newValue,
    oldValue,
    value: ratio(newValue, oldValue),
    pairedValue: paired ? pairedRatio(newRounds, oldRounds) : null,
    higherIsBetter: unit === "req/s",
  };
}

/**
 * Portico against the baseline's Portico on the in-process and loopback rows: req/s per era (in
 * process, and through each era's own Node adapter over loopback) and the server's CPU time per
 * request.
 */
export function baselineRatios(baseline: string, inProcess: Row[], loopback: Row[]): BaselineRatio[] {
  const out: BaselineRatio[] = [];
  for (const era of ["legacy", "modern"] as const) {
    const p = findRow(inProcess, "portico", era, "in-process");
    const q = findRow(inProcess, baseline, era, "in-process");
    if (p?.rps != null && q?.rps != null) {
      out.push(baselinePair("in-process req/s", era, "req/s", p.rounds, q.rounds));
    }
  }
  for (const era of ["legacy", "modern"] as const) {
    const p = findRow(loopback, "portico", era, "portico-node");
    const q = findRow(loopback, baseline, era, "portico-node");
    if (p?.rps == null || q?.rps == null) continue;
    out.push(baselinePair("loopback req/s (Node adapter)", era, "req/s", p.rounds, q.rounds));
    out.push(
      baselinePair("loopback server CPU/request", era, "µs/req", p.cpuRounds ?? [], q.cpuRounds ?? []),
    );
  }
  return out;
}

function fmtMeasure(value: number | null, unit: BaselineRatio["unit"]): string {
  if (value === null || !Number.isFinite(value)) return "n/a";
  switch (unit) {
    case "req/s":
      return `${fmtRps(value)} req/s`;
    case "µs/req":
      return `${value.toFixed(1)} µs`;
    case "bytes":
      return `${Math.round(value).toLocaleString("en-US")} B`;
    case "ms":
      return `${value.toFixed(1)} ms`;
  }
}

/** The ratio with three decimals: "no loss" is decided close to 1. */
function fmtRatio3(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "n/a" : `${value.toFixed(3)}×`;
}

export function baselineTable(baseline: string, ratios: BaselineRatio[]): string {
  return table(
    [
      "measure",
      "era",
      "portico (new)",
      `${baseline} (old)`,
      "new/old of medians",
      "paired rounds (median)",
      "no loss when",
    ],
    ratios.map((r) => [
      r.measure,
      r.era,
      fmtMeasure(r.newValue, r.unit),
      fmtMeasure(r.oldValue, r.unit),
      fmtRatio3(r.value),
      r.pairedValue === null ? "—" : fmtRatio3(r.pairedValue),
      r.higherIsBetter ? "≥ 1" : "≤ 1",
    ]),
  );
}
