/**
 * (g) Workers CPU time per request: the bench's `add` Worker entries (bench/workers/*.ts) run in
 * workerd under `wrangler dev` (`devWorker`, offline, 127.0.0.1, ports from the OS), one workerd per
 * target — bare (the floor), portico-modern and portico-legacy (its own workerd, so its sessions
 * live in that isolate) — under an autocannon load, rounds interleaved. The figure is the workerd
 * process's user + system time (/proc/<pid>/stat, all threads) over the measured window divided by
 * the answers, each checked to carry the sum. Linux only. Alone it writes
 * bench/results/<date>-workers-cpu[-quick].md (through run.ts it writes nothing itself):
 *
 *   node --conditions=@portico/source src/workers-cpu.ts
 *
 * Starting workerd, telling it from wrangler's proxy, stopping its process group: _workerd.ts; the
 * load child (autocannon, every answer checked): _workers-cpu-child.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, platform, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuMs, jsonLines, spawnPinned, stop } from "./_children.ts";
import { startWorkerd, stopWorkerd, type WorkerdServer } from "./_workerd.ts";
import type { CheckedLoadResult } from "./_workers-cpu-child.ts";
import type { LoadJob } from "./load.ts";
import { LOAD_CPU, SERVER_CPU } from "./loopback.ts";
import { machine, median, table } from "./report.ts";
import { type CallSpec, prepareCall, verify } from "./requests.ts";
import type { Era } from "./targets.ts";

const here = fileURLToPath(new URL(".", import.meta.url));

interface Target {
  name: "bare" | "portico-modern" | "portico-legacy";
  entry: string;
  era: Era;
}

const TARGETS: Target[] = [
  { name: "bare", entry: join(here, "..", "workers", "bare.ts"), era: "modern" },
  { name: "portico-modern", entry: join(here, "..", "workers", "portico.ts"), era: "modern" },
  { name: "portico-legacy", entry: join(here, "..", "workers", "portico.ts"), era: "legacy" },
];

interface Instance {
  target: Target;
  server: WorkerdServer;
  call: CallSpec;
}

export interface WorkersCpuResult {
  markdown: string;
  json: Record<string, unknown>;
}

/** Starts the target's workerd and runs its handshake; checks it answers the sum. */
async function start(target: Target, scratch: string): Promise<Instance> {
  const dir = join(scratch, target.name);
  const server = await startWorkerd(`bench-cpu-${target.name}`, target.entry, dir, SERVER_CPU);
  try {
    const send = (headers: Record<string, string>, body: string) =>
      fetch(server.url, { method: "POST", headers, body });
    const call = await prepareCall(target.era, send);
    await verify(await send(call.headers, call.body), `workerd ${target.name}`);
    return { target, server, call };
  } catch (error) {
    await stopWorkerd(server.child);
    throw error;
  }
}

interface Load {
  connections: number;
  warmupSec: number;
  durationSec: number;
}

/** One load against one instance: workerd's CPU µs per answer, and req/s. Throws on any bad answer. */
async function measure(instance: Instance, load: Load): Promise<{ cpuUs: number; rps: number }> {
  const { call, server } = instance;
  const job: LoadJob = { url: server.url, headers: call.headers, body: call.body, ...load };
  const child = spawnPinned(LOAD_CPU, "./_workers-cpu-child.ts", ["load", JSON.stringify(job)]);
  const label = `load ${instance.target.name}`;
  const lines = jsonLines(child, label);
  const timeoutMs = (load.warmupSec + load.durationSec) * 1000 + 20_000;
  await lines.next<{ measuring: true }>(timeoutMs);
  const before = cpuMs(server.pid);
  const proxyBefore = cpuMs(server.proxyPid);
  const r = await lines.next<CheckedLoadResult>(timeoutMs);
  const after = cpuMs(server.pid);
  const proxyAfter = cpuMs(server.proxyPid);
  await stop(child);
  if (r.non2xx > 0 || r.errors > 0 || r.mismatches > 0 || r.timeouts > 0 || r.total === 0) {
    throw new Error(
      `${label}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.mismatches} wrong answers, ${r.timeouts} timeouts of ${r.total}`,
    );
  }
  if (proxyAfter - proxyBefore > 0.1 * (after - before)) {
    throw new Error(
      `${label}: wrangler's proxy workerd worked too (${proxyAfter - proxyBefore} ms CPU): wrong process`,
    );
  }
  await verify(await fetch(server.url, { method: "POST", ...call }), label);
  return { cpuUs: ((after - before) * 1000) / r.total, rps: r.rps };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : "n/a");
const fmtX = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "n/a");

/** Runs part (g); returns its Markdown section and JSON. `BENCH_QUICK=1`: 1 round × 1 s. */
export async function workersCpuBench(log: (line: string) => void = console.log): Promise<WorkersCpuResult> {
  const heading = "## (g) Workers CPU time per request";
  if (platform() !== "linux") {
    const reason = `skipped: reads the workerd process's CPU time from /proc, Linux only (this is ${platform()})`;
    log(reason);
    return { markdown: `${heading}\n\n${reason}.`, json: { skipped: reason } };
  }
  const quick = process.env.BENCH_QUICK === "1";
  const settings = {
    rounds: quick ? 1 : 7,
    warmupPassSec: quick ? 1 : 2,
    load: { connections: 10, warmupSec: 1, durationSec: quick ? 1 : 3 },
  };
  const loadStart = machine().loadAverage;
  const scratch = mkdtempSync(join(tmpdir(), "portico-workers-cpu-"));
  const instances: Instance[] = [];
  const cpu = new Map<string, number[]>(TARGETS.map((t) => [t.name, []]));
  const rps = new Map<string, number[]>(TARGETS.map((t) => [t.name, []]));
  try {
    for (const target of TARGETS) {
      const instance = await start(target, scratch);
      instances.push(instance);
      log(
        `${target.name}: workerd pid ${instance.server.pid} on ${instance.server.url}, verified add(2, 3) = 5`,
      );
    }
    for (const instance of instances)
      await measure(instance, { ...settings.load, warmupSec: 0, durationSec: settings.warmupPassSec });
    for (let round = 0; round < settings.rounds; round++) {
      // Every other round in reverse, so a drift of the machine favours no target.
      for (const instance of round % 2 === 0 ? instances : [...instances].reverse()) {
        const m = await measure(instance, settings.load);
        cpu.get(instance.target.name)?.push(m.cpuUs);
        rps.get(instance.target.name)?.push(m.rps);
        log(
          `  round ${round + 1} ${instance.target.name}: ${fmt(m.cpuUs)} µs CPU/req, ${Math.round(m.rps)} req/s`,
        );
      }
    }
  } finally {
    await Promise.all(instances.map((i) => stopWorkerd(i.server.child)));
    rmSync(scratch, { recursive: true, force: true });
  }
  const loadEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  const { wrangler, workerd } = (instances[0] as Instance).server;
  const med = (name: string) => median(cpu.get(name) ?? []);
  const bare = cpu.get("bare") ?? [];
  const rows = TARGETS.map((t) => ({
    target: t.name,
    era: t.era,
    cpuUsPerRequest: med(t.name),
    cpuRounds: cpu.get(t.name) ?? [],
    rps: median(rps.get(t.name) ?? []),
    rpsRounds: rps.get(t.name) ?? [],
  }));
  const ratios = (["modern", "legacy"] as const).map((era) => ({
    era,
    /** portico/bare of the medians, and the median of the per-round ratios. */
    value: med(`portico-${era}`) / med("bare"),
    pairedValue: median((cpu.get(`portico-${era}`) ?? []).map((x, i) => x / (bare[i] ?? Number.NaN))),
    /** Portico's own share: portico minus bare, in µs. */
    overBareUs: med(`portico-${era}`) - med("bare"),
  }));
  const { connections, warmupSec, durationSec } = settings.load;
  const markdown = [
    `${heading} (${workerd} under \`wrangler dev\`, wrangler ${wrangler})`,
    "",
    "What Workers bill as CPU time, measured locally: the bench's `add` Worker entries (`bench/workers/*.ts`), each in",
    "its own workerd started by `wrangler dev` (`devWorker`: offline, 127.0.0.1, local observability off), loaded on",
    `that workerd's own port (past wrangler's proxy) by autocannon: ${connections} connections, ${warmupSec} s warm-up + ${durationSec} s`,
    `measured, ${settings.rounds} interleaved rounds after a ${settings.warmupPassSec} s warm-up pass; workerd pinned to CPU ${SERVER_CPU}, autocannon to CPU ${LOAD_CPU}.`,
    "CPU µs/req: workerd's user + system time (/proc, all threads) over the measured window ÷ answers, every answer",
    "checked to be a 2xx carrying the sum (non-2xx, errors, wrong answers: 0). bare gets the modern request.",
    "",
    table(
      ["target", "request", "CPU µs/req (median)", "rounds", "req/s (median)", "vs bare", "minus bare"],
      rows.map((r) => [
        r.target,
        r.era,
        fmt(r.cpuUsPerRequest),
        r.cpuRounds.map(fmt).join(", "),
        Math.round(r.rps).toLocaleString("en-US"),
        r.target === "bare" ? "—" : fmtX(r.cpuUsPerRequest / med("bare")),
        r.target === "bare" ? "—" : `${fmt(r.cpuUsPerRequest - med("bare"))} µs`,
      ]),
    ),
    "",
    ...ratios.map(
      (r) =>
        `- portico/bare, ${r.era}: ${fmtX(r.value)} of the medians, ${fmtX(r.pairedValue)} median of the per-round ratios.`,
    ),
    "",
    "Caveat: a workerd process's CPU time includes its own HTTP handling (sockets, HTTP parsing) and, under",
    "`wrangler dev`, miniflare's entry worker in front of the Worker, so this is the CPU per request of the whole",
    "workerd: an upper bound of what Workers bill as CPU time (the Worker's own execution; I/O wait excluded). The",
    "bare Worker's figure is that floor; portico minus bare is Portico's own share, the ratio is diluted by the floor.",
    "",
    `Load average (1/5/15 min) at start ${loadStart.join(" / ")}, at end ${loadEnd.join(" / ")}: a busy machine inflates every figure.`,
  ].join("\n");
  return {
    markdown,
    json: { wrangler, workerd, settings, loadAverage: { start: loadStart, end: loadEnd }, rows, ratios },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const host = machine();
  const date = new Date().toISOString().slice(0, 10);
  const quick = process.env.BENCH_QUICK === "1" ? "-quick" : "";
  const { markdown } = await workersCpuBench();
  const md = `# Workers CPU time per request, ${date}${quick ? " (quick smoke run)" : ""}\n\nMachine: ${host.os}, ${host.cpus}× ${host.cpuModel}, ${host.memoryGb} GB, Node ${host.node}.\n\n${markdown}\n`;
  process.stdout.write(`\n${markdown}\n`);
  if (platform() === "linux") {
    const dir = fileURLToPath(new URL("../results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}${date}-workers-cpu${quick}.md`, md);
    process.stdout.write(`wrote ${dir}${date}-workers-cpu${quick}.md\n`);
  }
}
