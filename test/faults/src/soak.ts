/**
 * Soak (not part of `pnpm test`): sustained mixed traffic against the fault suite's instances
 * behind the round-robin proxy, for each store in turn — the memory store (one instance: memory
 * stores are per process) and Redis (three instances sharing a redis-server without persistence).
 *
 * Traffic: `--sessions` legacy sessions over raw HTTP (ping, echo, note, tools/list,
 * logging/setLevel, and every 20th operation a short streamed `long` call), plus `--modern`
 * modern clients — the official SDK client (`@modelcontextprotocol/client`, pinned to 2026-07-28:
 * callTool echo, listTools, a streamed long call with progress) — each loop pausing `--pause-ms`
 * between operations. Every 10 s it samples throughput, p50/p99 latency and errors of the last
 * window and RSS/heap of every instance; at the end every session must still answer.
 *
 *   sh scripts/pnpm.sh --filter @portico/test-faults soak -- --minutes 10
 *   node --conditions=@portico/source test/faults/src/soak.ts --minutes 1 --stores memory,redis
 *
 * Writes bench/results/soak-<date>.{md,json} (`--out <dir>` elsewhere, `--no-write` nowhere).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Driver, type LegacySession, type Outcome } from "./driver.ts";
import { type Instance, startInstances } from "./instances.ts";
import { type ProxyStats, startProxy } from "./proxy.ts";
import { RESULTS_DIR } from "./results.ts";
import { type StoreController, startStore } from "./stores.ts";
import { isoDate, percentile, sleep } from "./util.ts";

type SoakStore = "memory" | "redis";

interface Options {
  minutes: number;
  stores: SoakStore[];
  sessions: number;
  modern: number;
  pauseMs: number;
  sampleMs: number;
  out: string | undefined;
}

interface InstanceSample {
  name: string;
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
  externalMB: number;
  requests: number;
}

interface Sample {
  /** Seconds since the load started. */
  t: number;
  requests: number;
  rps: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  errors: number;
  errorKinds: Record<string, number>;
  instances: InstanceSample[];
}

interface SoakRun {
  store: SoakStore;
  instances: number;
  minutes: number;
  legacySessions: number;
  modernClients: number;
  pauseMs: number;
  startedAt: string;
  durationS: number;
  requests: number;
  rps: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Latency percentiles per operation (ms). */
  byOp: Record<
    string,
    { requests: number; p50Ms: number | undefined; p99Ms: number | undefined; errors: number }
  >;
  errors: number;
  errorKinds: Record<string, number>;
  streams: Record<string, number>;
  sessionsAliveAtEnd: number;
  samples: Sample[];
  /** Per instance: RSS and heap at the first and the last sample. */
  memory: { name: string; rssFirstMB: number; rssLastMB: number; heapFirstMB: number; heapLastMB: number }[];
  proxy: ProxyStats;
  instanceErrors: Record<string, Record<string, number>>;
}

const MB = 1024 * 1024;
const round = (n: number | undefined, digits = 1) =>
  n === undefined ? undefined : Math.round(n * 10 ** digits) / 10 ** digits;

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "10" },
      stores: { type: "string", default: "memory,redis" },
      sessions: { type: "string", default: "50" },
      modern: { type: "string", default: "10" },
      "pause-ms": { type: "string", default: "50" },
      "sample-ms": { type: "string", default: "10000" },
      out: { type: "string" },
      "no-write": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(
      "soak [--minutes 10] [--stores memory,redis] [--sessions 50] [--modern 10] [--pause-ms 50] [--sample-ms 10000] [--out dir | --no-write]",
    );
    process.exit(0);
  }
  const stores = String(values.stores)
    .split(",")
    .map((s) => s.trim())
    .filter((s): s is SoakStore => s === "memory" || s === "redis");
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error(`--minutes must be positive, got ${values.minutes}`);
  return {
    minutes,
    stores,
    sessions: Number(values.sessions),
    modern: Number(values.modern),
    pauseMs: Number(values["pause-ms"]),
    sampleMs: Number(values["sample-ms"]),
    out: values["no-write"] ? undefined : (values.out ?? RESULTS_DIR),
  };
}

/** Outcomes of the SDK clients, recorded like the driver's. */
class SdkRecorder {
  readonly outcomes: Outcome[] = [];

  async time<T>(op: string, work: () => Promise<T>): Promise<T | undefined> {
    const start = Date.now();
    try {
      const value = await work();
      const isError = (value as { isError?: boolean } | undefined)?.isError === true;
      this.outcomes.push({
        era: "modern",
        op,
        start,
        end: Date.now(),
        status: 200,
        result: isError ? "tool-error" : "ok",
      });
      return value;
    } catch (error) {
      this.outcomes.push({
        era: "modern",
        op,
        start,
        end: Date.now(),
        status: 0,
        result: "network",
        detail: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  }
}

function errorKind(o: Outcome): string {
  return `${o.era} ${o.op}: ${o.result}${o.status ? ` ${o.status}` : ""}${o.rpcCode === undefined ? "" : ` ${o.rpcCode}`}`;
}

async function sampleInstances(instances: Instance[]): Promise<InstanceSample[]> {
  const out: InstanceSample[] = [];
  for (const instance of instances) {
    const stats = await instance.stats();
    if (stats === undefined) continue;
    out.push({
      name: instance.name,
      rssMB: round(stats.memory.rss / MB) as number,
      heapUsedMB: round(stats.memory.heapUsed / MB) as number,
      heapTotalMB: round(stats.memory.heapTotal / MB) as number,
      externalMB: round(stats.memory.external / MB) as number,
      requests: stats.requests,
    });
  }
  return out;
}

async function soakOne(kind: SoakStore, options: Options): Promise<SoakRun> {
  const count = kind === "memory" ? 1 : 3;
  let store: StoreController | undefined;
  let instances: Instance[] = [];
  const log = (line: string) => console.log(`[soak ${kind}] ${line}`);
  try {
    if (kind === "redis") store = await startStore("redis", { persistent: false });
    instances = await startInstances(
      count,
      { ...(store?.env ?? { FAULTS_STORE: "memory" }) },
      `soak-${kind}`,
    );
    const proxy = await startProxy(instances.map((i) => i.port));
    log(
      `${count} instance(s) behind ${proxy.url}; ${options.sessions} legacy sessions, ${options.modern} SDK clients`,
    );
    const driver = new Driver({ url: proxy.url, requestTimeoutMs: 10_000 });
    const sessions: LegacySession[] = [];
    while (sessions.length < options.sessions) {
      const session = await driver.openSession();
      if (session !== undefined) sessions.push(session);
    }
    const clients: Client[] = [];
    for (let i = 0; i < options.modern; i++) {
      const client = new Client(
        { name: `soak-${i}`, version: "0.0.0" },
        { capabilities: {}, versionNegotiation: { mode: { pin: "2026-07-28" } } },
      );
      await client.connect(new StreamableHTTPClientTransport(new URL(proxy.url)));
      clients.push(client);
    }
    const sdk = new SdkRecorder();
    const stop = new AbortController();
    const streamEnds: Record<string, number> = {};
    const loops: Promise<void>[] = [];

    for (const session of sessions) {
      loops.push(
        (async () => {
          for (let turn = 0; !stop.signal.aborted; turn++) {
            const pick = turn % 20;
            if (pick === 19) {
              const record = await driver.legacyLong(session, {
                label: "soak",
                ms: 500,
                stepMs: 100,
                deadline: Date.now() + 20_000,
              });
              streamEnds[`legacy ${record.endKind}`] = (streamEnds[`legacy ${record.endKind}`] ?? 0) + 1;
            } else if (pick % 5 === 0) await driver.note(session, 20);
            else if (pick % 5 === 1) await driver.ping(session);
            else if (pick % 5 === 2) await driver.echo(session);
            else if (pick === 3) await driver.setLevel(session);
            else await driver.call(session, "tools/list", undefined, "tools/list");
            await sleep(options.pauseMs);
          }
        })(),
      );
    }
    for (const [i, client] of clients.entries()) {
      loops.push(
        (async () => {
          for (let turn = 0; !stop.signal.aborted; turn++) {
            const pick = turn % 10;
            if (pick === 9) {
              const result = await sdk.time("sdk long", () =>
                client.callTool(
                  { name: "long", arguments: { ms: 500, stepMs: 100 } },
                  { onprogress: () => {} },
                ),
              );
              const end = result === undefined ? "failed" : result.isError ? "tool-error" : "result";
              streamEnds[`modern ${end}`] = (streamEnds[`modern ${end}`] ?? 0) + 1;
            } else if (pick % 3 === 0) await sdk.time("sdk tools/list", () => client.listTools());
            else
              await sdk.time("sdk echo", () =>
                client.callTool({ name: "echo", arguments: { text: `c${i}` } }),
              );
            await sleep(options.pauseMs);
          }
        })(),
      );
    }

    const started = Date.now();
    const samples: Sample[] = [];
    const latencies: number[] = [];
    const byOp = new Map<string, { latencies: number[]; requests: number; errors: number }>();
    const errorKinds: Record<string, number> = {};
    let requests = 0;
    let errors = 0;
    const drain = (): Outcome[] => {
      const batch = [...driver.outcomes.splice(0), ...sdk.outcomes.splice(0)];
      driver.streams.splice(0);
      for (const session of sessions) {
        session.notes.length = 0;
        session.levels.length = 0;
      }
      return batch;
    };
    /** Folds what was recorded since the last sample into the totals; `window` also records a sample. */
    const takeSample = async (window: boolean) => {
      const batch = drain();
      // Streamed calls last as long as they are told to: their latency says nothing.
      const ok = batch.filter((o) => o.result === "ok" && !o.op.endsWith("long") && o.op !== "resume");
      const failed = batch.filter((o) => o.result !== "ok");
      const kinds: Record<string, number> = {};
      for (const o of failed) {
        kinds[errorKind(o)] = (kinds[errorKind(o)] ?? 0) + 1;
        errorKinds[errorKind(o)] = (errorKinds[errorKind(o)] ?? 0) + 1;
      }
      for (const o of batch) {
        const entry = byOp.get(`${o.era} ${o.op}`) ?? { latencies: [], requests: 0, errors: 0 };
        entry.requests++;
        if (o.result === "ok") entry.latencies.push(o.end - o.start);
        else entry.errors++;
        byOp.set(`${o.era} ${o.op}`, entry);
      }
      const windowLatencies = ok.map((o) => o.end - o.start);
      latencies.push(...windowLatencies);
      requests += batch.length;
      errors += failed.length;
      if (!window) return;
      const previous = samples.at(-1)?.t ?? 0;
      const t = round((Date.now() - started) / 1000) as number;
      const sample: Sample = {
        t,
        requests: batch.length,
        rps: round(batch.length / Math.max(0.001, t - previous)) as number,
        p50Ms: percentile(windowLatencies, 50),
        p99Ms: percentile(windowLatencies, 99),
        errors: failed.length,
        errorKinds: kinds,
        instances: await sampleInstances(instances),
      };
      samples.push(sample);
      log(
        `t=${sample.t}s ${sample.rps} req/s p50 ${sample.p50Ms} ms p99 ${sample.p99Ms} ms errors ${sample.errors} | ` +
          sample.instances
            .map((i) => `${i.name} rss ${i.rssMB} MB heap ${i.heapUsedMB}/${i.heapTotalMB} MB`)
            .join(", "),
      );
    };
    const endAt = started + options.minutes * 60_000;
    while (Date.now() < endAt) {
      await sleep(Math.min(options.sampleMs, endAt - Date.now()));
      await takeSample(true);
    }
    stop.abort();
    await Promise.all(loops);
    const durationS = (Date.now() - started) / 1000;
    await takeSample(false);

    // Every session must still answer at the end.
    let alive = 0;
    for (const session of sessions) {
      if ((await driver.ping(session)).outcome.result === "ok") alive++;
    }
    drain();
    for (const client of clients) await client.close().catch(() => {});
    const instanceErrors: Record<string, Record<string, number>> = {};
    for (const instance of instances) {
      const stats = await instance.stats();
      if (stats !== undefined) instanceErrors[instance.name] = stats.errors;
    }
    const first = samples[0]?.instances ?? [];
    const last = samples.at(-1)?.instances ?? [];
    await proxy.close();
    return {
      store: kind,
      instances: count,
      minutes: options.minutes,
      legacySessions: options.sessions,
      modernClients: options.modern,
      pauseMs: options.pauseMs,
      startedAt: new Date(started).toISOString(),
      durationS: round(durationS) as number,
      requests,
      rps: round(requests / durationS) as number,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      byOp: Object.fromEntries(
        [...byOp.entries()].map(([op, e]) => [
          op,
          {
            requests: e.requests,
            p50Ms: percentile(e.latencies, 50),
            p99Ms: percentile(e.latencies, 99),
            errors: e.errors,
          },
        ]),
      ),
      errors,
      errorKinds,
      streams: streamEnds,
      sessionsAliveAtEnd: alive,
      samples,
      memory: first.map((f) => {
        const l = last.find((x) => x.name === f.name);
        return {
          name: f.name,
          rssFirstMB: f.rssMB,
          rssLastMB: l?.rssMB ?? Number.NaN,
          heapFirstMB: f.heapUsedMB,
          heapLastMB: l?.heapUsedMB ?? Number.NaN,
        };
      }),
      proxy: structuredClone(proxy.stats),
      instanceErrors,
    };
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await store?.stop();
  }
}

function markdown(runs: SoakRun[], when: Date): string {
  const lines: string[] = [];
  lines.push(`# Soak — ${isoDate(when)}`);
  lines.push("");
  lines.push(
    `\`test/faults/src/soak.ts\`, Node ${process.version}, ${process.platform}/${process.arch}. ` +
      "Instances are `@portico/adapter-node` `serve()` processes behind the fault suite's round-robin HTTP proxy on 127.0.0.1; " +
      "the driver, the SDK clients and the proxy share one process. Legacy sessions over raw HTTP (ping, echo, note, tools/list, " +
      "logging/setLevel, every 20th operation a 500 ms streamed call); modern clients are `@modelcontextprotocol/client` " +
      "(callTool echo, listTools, every 10th a 500 ms streamed call). Latencies are of plain (not streamed) requests answered ok; " +
      "the per-operation table has the streamed calls too.",
  );
  lines.push("");
  lines.push(
    "| store | instances | minutes | legacy sessions | SDK clients | requests | req/s | p50 ms | p99 ms | errors | sessions alive at end | RSS first → last sample (MB) | heap used first → last sample (MB) |",
  );
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
  for (const r of runs) {
    lines.push(
      `| ${r.store} | ${r.instances} | ${r.minutes} | ${r.legacySessions} | ${r.modernClients} | ${r.requests} | ${r.rps} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.sessionsAliveAtEnd}/${r.legacySessions} | ${r.memory.map((m) => `${m.rssFirstMB} → ${m.rssLastMB}`).join(", ")} | ${r.memory.map((m) => `${m.heapFirstMB} → ${m.heapLastMB}`).join(", ")} |`,
    );
  }
  for (const r of runs) {
    lines.push("");
    lines.push(`## ${r.store}`);
    lines.push("");
    lines.push(
      `Started ${r.startedAt}, ${r.durationS} s, pause ${r.pauseMs} ms per loop. Streams: ${JSON.stringify(r.streams)}. ` +
        `Errors: ${Object.keys(r.errorKinds).length === 0 ? "none" : JSON.stringify(r.errorKinds)}. Proxy: ${JSON.stringify(r.proxy)}.`,
    );
    lines.push("");
    lines.push("| operation | requests | p50 ms | p99 ms | errors |");
    lines.push("| --- | ---: | ---: | ---: | ---: |");
    for (const [op, e] of Object.entries(r.byOp).sort()) {
      lines.push(`| ${op} | ${e.requests} | ${e.p50Ms ?? "–"} | ${e.p99Ms ?? "–"} | ${e.errors} |`);
    }
    lines.push("");
    const names = r.samples[0]?.instances.map((i) => i.name) ?? [];
    lines.push(
      `| t (s) | req/s | p50 ms | p99 ms | errors | ${names.map((n) => `${n} RSS / heap used / heap total (MB)`).join(" | ")} |`,
    );
    lines.push(`| ---: | ---: | ---: | ---: | ---: | ${names.map(() => "---").join(" | ")} |`);
    for (const s of r.samples) {
      lines.push(
        `| ${s.t} | ${s.rps} | ${s.p50Ms ?? "–"} | ${s.p99Ms ?? "–"} | ${s.errors} | ${names
          .map((n) => {
            const i = s.instances.find((x) => x.name === n);
            return i ? `${i.rssMB} / ${i.heapUsedMB} / ${i.heapTotalMB}` : "–";
          })
          .join(" | ")} |`,
      );
    }
    const errors = Object.entries(r.instanceErrors).filter(([, e]) => Object.keys(e).length > 0);
    if (errors.length > 0) {
      lines.push("");
      lines.push(
        `Instance onError counts: ${errors.map(([n, e]) => `${n} ${JSON.stringify(e)}`).join("; ")}.`,
      );
    }
  }
  lines.push("");
  return lines.join("\n");
}

async function main(): Promise<void> {
  const options = parseOptions();
  const runs: SoakRun[] = [];
  for (const kind of options.stores) runs.push(await soakOne(kind, options));
  const when = new Date();
  const text = markdown(runs, when);
  if (options.out !== undefined) {
    const dir = options.out.endsWith("/") ? options.out : `${options.out}/`;
    mkdirSync(dir, { recursive: true });
    const base = `${dir}soak-${isoDate(when)}`;
    writeFileSync(
      `${base}.json`,
      `${JSON.stringify({ date: when.toISOString(), node: process.version, runs }, null, 2)}\n`,
    );
    writeFileSync(`${base}.md`, text);
    console.log(`soak results written to ${base}.md and .json`);
  } else {
    console.log(text);
  }
}

await main();
process.exit(0);
