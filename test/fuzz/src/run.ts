/**
 * One adapter's fuzz run: open the pool's sessions, warm up, take the heap baseline, run the seeded
 * fast-check property (`numRuns` cases, shrunk on failure, the seed printed), then check that every
 * host completion settled, that the server still answers a valid `ping` in both eras, and — for
 * hosts in this process — that the heap is back within a margin of the baseline after GC.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { initializeBody, legacyPost, modernPost } from "@portico/test-kit";
import fc from "fast-check";
import { type FuzzCase, fuzzCaseArb } from "./arbitraries.ts";
import { type CaseContext, exercise, FuzzFailure, limitsFromEnv, Settling, Stats } from "./check.ts";
import { Pool, rawOf } from "./pool.ts";
import { readWhole } from "./read.ts";
import { REPLY_TIMEOUT_MS } from "./server.ts";
import type { Transport } from "./transport.ts";

export interface FuzzOptions {
  /** Shown in messages. */
  name: string;
  transport: Transport;
  seed: number;
  numRuns: number;
  /** Check the heap after the run (hosts that run in this process). */
  memory: boolean;
  /** Largest accepted heap growth over the baseline, after GC. Default 20 MB. */
  heapMarginBytes?: number;
  /** Cases sent before the baseline is taken (not counted). Default 300. */
  warmUp?: number;
  /**
   * Independent seeded runs side by side (seeds `seed`, `seed + 1`, …), `numRuns` split between
   * them: for hosts behind a network hop, where one request at a time leaves the server idle.
   * Default 1.
   */
  parallel?: number;
}

export interface FuzzResult {
  stats: Stats;
  ms: number;
  heap?: { baseline: number; after: number };
}

/** Runs from `FUZZ_RUNS`, else `fallback` (10,000 in the suite). */
export function numRunsFromEnv(fallback: number): number {
  const value = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** The seed from `FUZZ_SEED` (to replay a reported failure), else `fallback`. */
export function seedFromEnv(fallback: number): number {
  const value = Number(process.env.FUZZ_SEED);
  return process.env.FUZZ_SEED !== undefined && Number.isInteger(value) ? value : fallback;
}

let collect: (() => void) | undefined;

/** A full garbage collection (exposed at run time: vitest's forks start without --expose-gc). */
export function gc(): void {
  if (collect === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === "function") collect = exposed;
    else {
      v8.setFlagsFromString("--expose-gc");
      collect = vm.runInNewContext("gc") as () => void;
    }
  }
  collect();
}

/** heapUsed after repeated full collections (with turns of the event loop for finalizers). */
export async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

/** The server still serves: a modern `server/discover` and a legacy `ping` in a fresh session. */
export async function assertAlive(transport: Transport): Promise<void> {
  const url = `${transport.origin}/mcp`;
  const withHost = (request: Request) => rawOf(request, true);
  // (`ping` is a legacy-era method; 2026-07-28 has `server/discover` for a no-op round trip.)
  const modern = await transport.send(
    await withHost(modernPost(url, "server/discover", {}, { id: "alive" })),
  );
  const modernText = await readWhole(modern);
  if (modern.status !== 200 || !modernText.includes('"id":"alive"') || !modernText.includes('"result"')) {
    throw new Error(
      `the server no longer answers a modern server/discover: ${modern.status} ${modernText.slice(0, 300)}`,
    );
  }
  // A fresh session, for a caller of its own: the anonymous caller may well hold its
  // `maxSessionsPerCaller` sessions by now (fuzzed initializes), and then gets 429, by design.
  const auth = { authorization: "Bearer fuzz-admin-token" };
  const init = await transport.send(await withHost(legacyPost(url, initializeBody(1), { headers: auth })));
  const initText = await readWhole(init);
  const sessionId = init.headers.get("mcp-session-id");
  if (init.status !== 200 || sessionId === null) {
    throw new Error(`initialize failed after the run: ${init.status} ${initText.slice(0, 300)}`);
  }
  const ping = await transport.send(
    await withHost(
      legacyPost(
        url,
        { jsonrpc: "2.0", id: "alive", method: "ping" },
        { sessionId, protocolVersion: "2025-11-25", headers: auth },
      ),
    ),
  );
  const pingText = await readWhole(ping);
  if (ping.status !== 200 || !pingText.includes('"result":{}')) {
    throw new Error(`the server no longer answers a legacy ping: ${ping.status} ${pingText.slice(0, 300)}`);
  }
}

/** Runs the fuzz property against one adapter; throws (with the seed) on the first broken property. */
export async function fuzz(options: FuzzOptions): Promise<FuzzResult> {
  const { transport, seed, numRuns, name } = options;
  const pool = new Pool(transport);
  await pool.open();
  const stats = new Stats();
  const settling = new Settling();
  const limits = limitsFromEnv();
  const ctx: CaseContext = { transport, pool, stats, settling, limits };

  const warmUp = options.warmUp ?? 300;
  for (const c of fc.sample(fuzzCaseArb, { seed: seed - 1, numRuns: warmUp })) {
    try {
      await exercise(ctx, c);
    } catch (error) {
      throw new Error(
        `${name}: warm-up case failed (replay with FUZZ_SEED=${seed}): ${String(error)}\n${(error as Error).stack ?? ""}`,
      );
    }
  }
  const baseline = options.memory ? await settledHeap() : 0;

  // FUZZ_COLLECT=1: run every case and list every distinct broken property (smallest request of
  // each) instead of stopping and shrinking at the first; the run still fails if any broke.
  const collect = process.env.FUZZ_COLLECT === "1";
  const collected = new Map<string, FuzzFailure>();
  const property = collect
    ? async (c: FuzzCase) => {
        try {
          await exercise(ctx, c);
        } catch (error) {
          if (!(error instanceof FuzzFailure)) throw error;
          const key = failureKind(error);
          const known = collected.get(key);
          if (known === undefined || size(error) < size(known)) collected.set(key, error);
        }
      }
    : (c: FuzzCase) => exercise(ctx, c);

  const started = Date.now();
  const parallel = Math.max(1, options.parallel ?? 1);
  let stopped = false;
  const lane = async (i: number): Promise<void> => {
    const laneSeed = seed + i;
    const laneRuns = Math.floor(numRuns / parallel) + (i < numRuns % parallel ? 1 : 0);
    try {
      await fc.assert(
        fc.asyncProperty(fuzzCaseArb, async (c) => {
          // Once a lane failed, the others only finish their count (the run failed already).
          if (!stopped) await property(c);
        }),
        { seed: laneSeed, numRuns: laneRuns, verbose: 0 },
      );
    } catch (error) {
      stopped = true;
      const message = error instanceof Error ? error.message : String(error);
      const where =
        parallel > 1 ? `lane ${i + 1}/${parallel}, seed ${laneSeed}, ${laneRuns} runs` : `seed ${laneSeed}`;
      throw new Error(`${name}: fuzz property failed (${where}; replay with FUZZ_SEED=${seed})\n${message}`, {
        cause: error,
      });
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: parallel }, (_, i) => lane(i)));
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  if (collected.size > 0) {
    const list = [...collected.values()].map((f, i) => `#${i + 1} ${f.message}`).join("\n\n");
    throw new Error(`${name}: ${collected.size} distinct broken properties (seed ${seed}):\n\n${list}`);
  }
  const ms = Date.now() - started;

  await settling.drain(limits.settleMs);
  await assertAlive(transport);

  const result: FuzzResult = { stats, ms };
  if (options.memory) {
    // Abandoned legacy server→client requests end after the reply timeout: wait for them first.
    await new Promise((resolve) => setTimeout(resolve, REPLY_TIMEOUT_MS + 500));
    const after = await settledHeap();
    result.heap = { baseline, after };
    const margin = options.heapMarginBytes ?? 20 * 1024 * 1024;
    if (after > baseline + margin) {
      throw new Error(
        `${name}: heap did not return to baseline after GC: ${mb(baseline)} before the run, ${mb(after)} after (margin ${mb(margin)})`,
      );
    }
  }
  console.log(
    `[fuzz] ${name}: ${numRuns} cases (seed ${seed}) in ${(ms / 1000).toFixed(1)} s — ${stats}` +
      (result.heap ? `; heap ${mb(result.heap.baseline)} → ${mb(result.heap.after)}` : ""),
  );
  return result;
}

/** What kind of failure this is, without the details that vary from case to case. */
function failureKind(failure: FuzzFailure): string {
  const firstLine = failure.observed.split("\n").find((line) => line.startsWith("{")) ?? "";
  const text = `${failure.property} ${firstLine}`;
  return text
    .replace(/"[^"]*"/g, '""')
    .replace(/\d+/g, "N")
    .slice(0, 160);
}

function size(failure: FuzzFailure): number {
  return (
    (failure.request.body?.length ?? 0) +
    failure.request.headers.reduce((n, [k, v]) => n + k.length + v.length, 0)
  );
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
