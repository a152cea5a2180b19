/**
 * (b) Loopback HTTP throughput: one server child per target × bridge pinned to CPU 0, one autocannon
 * child per measurement pinned to CPU 1.
 */
import type { ChildProcess } from "node:child_process";
import { cpuMs, jsonLines, spawnPinned, stop } from "./_children.ts";
import { type Baseline, type BaselineName, isBaseline } from "./baseline.ts";
import type { LoadJob, LoadResult } from "./load.ts";
import { type CallSpec, prepareCall, verify } from "./requests.ts";
import type { Bridge } from "./server.ts";
import { type Era, RAW, SUPPORTED_ERAS, TARGETS, type TargetName } from "./targets.ts";

export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

export type LoopbackTarget = TargetName | "raw" | BaselineName;

export interface LoopbackCase {
  target: LoopbackTarget;
  bridge: Bridge;
  era: Era;
  url: string;
  call: CallSpec;
  /** The server process, whose CPU time is sampled around each measured window. */
  pid: number;
  /** The server's total GC time so far, in ms (it answers SIGUSR2 with it: see _ready.ts). */
  gcMs(): Promise<number>;
}

export interface RunningServer {
  target: LoopbackTarget;
  bridge: Bridge;
  url: string;
  child: ChildProcess;
  gcMs(): Promise<number>;
}

export interface LoopbackSetup {
  cases: LoopbackCase[];
  close(): Promise<void>;
}

/** The server's `{"url"}` line, and a way to ask it for its GC time (one stdout reader for both). */
export async function listening(
  child: ChildProcess,
  label: string,
): Promise<{ url: string; gcMs(): Promise<number> }> {
  const lines = jsonLines(child, label);
  const { url } = await lines.next<{ url: string }>(15_000);
  const gcMs = async () => {
    child.kill("SIGUSR2");
    return (await lines.next<{ gcMs: number }>(5_000)).gcMs;
  };
  return { url, gcMs };
}

export async function startServer(target: LoopbackTarget, bridge: Bridge): Promise<RunningServer> {
  const child = spawnPinned(SERVER_CPU, "./server.ts", [target, bridge]);
  return { target, bridge, child, ...(await listening(child, `server ${target}/${bridge}`)) };
}

/** The baseline's old core through the old Node adapter (baseline-server.ts), reported as bridge portico-node. */
export async function startBaselineServer(baseline: Baseline): Promise<RunningServer> {
  const child = spawnPinned(SERVER_CPU, "./baseline-server.ts", [JSON.stringify(baseline.modules)]);
  return {
    target: baseline.name,
    bridge: "portico-node",
    child,
    ...(await listening(child, `server ${baseline.name}`)),
  };
}

/**
 * Measuring order within a round: by era, then each Portico case right next to what it is compared
 * with (raw before Portico's adapter, the baseline's old Portico right after it, mcp-lite and SDK v2
 * on the same bridge after that), so a ratio compares figures taken seconds apart rather than
 * minutes, when a shared machine may be another.
 */
const ORDER = [
  "raw/raw",
  "portico/portico-node",
  "baseline/portico-node",
  "mcp-lite/portico-node",
  "sdk-v2/portico-node",
  "bare/portico-node",
  "bare/hono-node",
  "sdk-v2/hono-node",
  "mcp-lite/hono-node",
  "portico/hono-node",
];

function byComparison(a: LoopbackCase, b: LoopbackCase): number {
  const rank = (c: LoopbackCase) =>
    ORDER.indexOf(`${isBaseline(c.target) ? "baseline" : c.target}/${c.bridge}`);
  return a.era === b.era ? rank(a) - rank(b) : a.era === "legacy" ? -1 : 1;
}

/** Runs the handshake for `era` against a started server and checks it answers a correct sum. */
export async function prepareCase(server: RunningServer, era: Era): Promise<LoopbackCase> {
  const send = (headers: Record<string, string>, body: string) =>
    fetch(server.url, { method: "POST", headers, body });
  const call = await prepareCall(era, send);
  await verify(await send(call.headers, call.body), `loopback ${server.target}/${server.bridge}/${era}`);
  const { target, bridge, url, gcMs } = server;
  return { target, bridge, era, url, call, pid: server.child.pid as number, gcMs };
}

/**
 * Starts every server, runs the handshakes and checks every case answers a correct sum. With a
 * baseline (and Portico among the targets) the old Portico joins, in the eras Portico serves.
 */
export async function prepareLoopback(baseline?: Baseline): Promise<LoopbackSetup> {
  const servers: RunningServer[] = [];
  const close = async () => {
    await Promise.all(servers.map((s) => stop(s.child)));
  };
  try {
    const plan: Array<[LoopbackTarget, Bridge]> = RAW ? [["raw", "raw"]] : [];
    for (const target of TARGETS) plan.push([target, "portico-node"], [target, "hono-node"]);
    for (const [target, bridge] of plan) servers.push(await startServer(target, bridge));
    if (baseline !== undefined && TARGETS.includes("portico"))
      servers.push(await startBaselineServer(baseline));
    const cases: LoopbackCase[] = [];
    for (const server of servers) {
      const eras =
        server.target === "raw"
          ? (["legacy", "modern"] as const)
          : SUPPORTED_ERAS[isBaseline(server.target) ? "portico" : server.target];
      for (const era of eras) cases.push(await prepareCase(server, era));
    }
    return { cases: cases.sort(byComparison), close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface LoadSettings {
  connections: number;
  warmupSec: number;
  durationSec: number;
}

export interface LoopbackResult extends LoadResult {
  /** Server CPU time (user + system) per answered request over the measured window, in µs. */
  cpuUsPerRequest: number;
  /** Of which the server's garbage collection, per answered request, in µs. */
  gcUsPerRequest: number;
}

/**
 * One measured round against one case; throws if any response was not a 2xx. Besides throughput it
 * samples the server's CPU time around the measured window. CPU time per request separates the
 * server's own cost from the load generator's; it is no cure for a busy host, though: a guest that
 * does not account steal time books the host's contention to the running process, so on such a
 * VM it swings with req/s (compare the rounds).
 */
export async function measureLoopback(c: LoopbackCase, settings: LoadSettings): Promise<LoopbackResult> {
  const job: LoadJob = { url: c.url, headers: c.call.headers, body: c.call.body, ...settings };
  const child = spawnPinned(LOAD_CPU, "./load.ts", [JSON.stringify(job)]);
  const label = `load ${c.target}/${c.bridge}/${c.era}`;
  const lines = jsonLines(child, label);
  const timeoutMs = (settings.warmupSec + settings.durationSec) * 1000 + 20_000;
  await lines.next<{ measuring: true }>(timeoutMs);
  const before = cpuMs(c.pid);
  const gcBefore = await c.gcMs();
  const result = await lines.next<LoadResult>(timeoutMs);
  const after = cpuMs(c.pid);
  const gcAfter = await c.gcMs();
  await stop(child);
  if (result.non2xx > 0 || result.errors > 0 || result.total === 0) {
    throw new Error(`${label}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.total}`);
  }
  return {
    ...result,
    cpuUsPerRequest: ((after - before) * 1000) / result.total,
    gcUsPerRequest: ((gcAfter - gcBefore) * 1000) / result.total,
  };
}
