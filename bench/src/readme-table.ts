/**
 * Regenerates the performance table of the repository's README from a `pnpm bench` results file:
 *
 *   node --conditions=@portico/source src/readme-table.ts [bench/results/<date>-throughput.json]
 *
 * Without an argument it takes the newest complete run (`<date>-throughput.json`, not `-quick` or
 * `-partial`). The table replaces what stands between `<!-- bench:start -->` and
 * `<!-- bench:end -->` in README.md; every figure comes from the file, which the table names.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";

interface LoopbackRow {
  target: string;
  era: string;
  bridge: string;
  rps: number | null;
  p99Ms?: number | null;
}

interface Results {
  date: string;
  machine: { cpuModel: string; cpus: number; node: string; loadAverage: number[] };
  loopback: LoopbackRow[];
  coldStart?: { target: string; gzipBytes: number; coldStartMs: number }[];
  idleSessions?: {
    rssBytesPerSession: number;
    heapBytesPerSession: number;
    marginalRssBytesPerSession?: number;
  };
  ricColdStart?: { cases: { name: string; medianMs: number }[] };
  dynamodbColdStart?: { lightMs: number; fetchMs: number };
  vercelColdStart?: { cases: { name: string; medianMs: number }[] };
  workersCpu?: { rows?: { target: string; era: string; cpuUsPerRequest: number }[] };
  latency?: { rate: number; era: string; server: string; p99: number }[];
}

const here = fileURLToPath(new URL(".", import.meta.url));
const resultsDir = join(here, "..", "results");
const readme = join(here, "..", "..", "README.md");
const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";
const COLUMNS = ["raw", "bare", "portico", "mcp-lite", "sdk-v2"] as const;
const HEADER = "| measure | raw node:http | bare fetch | Portico | mcp-lite | SDK v2 |";

function newestComplete(): string {
  const files = readdirSync(resultsDir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}-throughput\.json$/.test(f))
    .sort();
  const file = files.at(-1);
  if (file === undefined) throw new Error(`no complete <date>-throughput.json in ${resultsDir}`);
  return join(resultsDir, file);
}

const dash = "—";
const fixed = (value: number | undefined | null, digits: number) =>
  value === undefined || value === null || !Number.isFinite(value) ? dash : value.toFixed(digits);

function loopback(results: Results, target: string, pick: (row: LoopbackRow) => number | null | undefined) {
  const cell = (era: string) => {
    const rows = results.loopback.filter((r) => r.target === target && r.era === era && r.rps !== null);
    const row = rows.find((r) => r.bridge === "portico-node" || r.bridge === "raw") ?? rows[0];
    return row === undefined ? undefined : pick(row);
  };
  return [cell("legacy"), cell("modern")];
}

export function table(results: Results, file: string): string {
  const rows: string[] = [HEADER, `|---|${COLUMNS.map(() => "---:").join("|")}|`];
  const row = (measure: string, cells: (target: string) => string) =>
    rows.push(`| ${measure} | ${COLUMNS.map(cells).join(" | ")} |`);
  const cold = new Map((results.coldStart ?? []).map((c) => [c.target, c]));
  if (cold.size > 0) {
    const secret = cold.get("portico + secret")?.coldStartMs;
    const modern =
      cold.get("portico-modern + secret")?.coldStartMs ?? cold.get("portico-modern")?.coldStartMs;
    const kb = (t: string) => fixed((cold.get(t)?.gzipBytes ?? Number.NaN) / 1024, 1);
    row("cold: import + first `tools/call`, in process (ms)", (t) => {
      if (t !== "portico" || secret === undefined) return fixed(cold.get(t)?.coldStartMs, 1);
      const alone = modern === undefined ? "" : `; 2026-07-28 only: ${fixed(modern, 1)}`;
      const many = cold.get("portico-30-tools")?.coldStartMs;
      const tools = many === undefined ? "" : `; 30 tools: ${fixed(many, 1)}`;
      return `${fixed(cold.get(t)?.coldStartMs, 1)} (${fixed(secret, 1)} with \`secret\`${alone}${tools})`;
    });
    const cached = cold.get("portico + code cache + secret") ?? cold.get("portico + code cache");
    const called = cold.get("portico + code cache --call add + secret");
    if (cached !== undefined) {
      row("cold: the same, with the V8 code cache (`portico-lambda-cache`, ms)", (t) =>
        t !== "portico"
          ? dash
          : called === undefined
            ? fixed(cached.coldStartMs, 1)
            : `${fixed(called.coldStartMs, 1)} warmed with \`--call\` (${fixed(cached.coldStartMs, 1)} without)`,
      );
    }
    const initialize = cold.get("portico + secret, legacy initialize, --expose-gc");
    if (initialize !== undefined) {
      row("cold: a legacy `initialize` (a random session id), under `--expose-gc` (ms)", (t) =>
        t === "portico" ? fixed(initialize.coldStartMs, 1) : dash,
      );
    }
    const ddb = results.dynamodbColdStart;
    if (ddb !== undefined) {
      row("cold: a legacy `tools/call` on the DynamoDB stores, under `--expose-gc` (ms)", (t) =>
        t === "portico" ? `${fixed(ddb.lightMs, 1)} (with Node's \`fetch\`: ${fixed(ddb.fetchMs, 1)})` : dash,
      );
    }
    row("Lambda bundle, min+gzip (KB)", (t) =>
      t === "portico" && cold.has("portico-modern")
        ? `${kb(t)} (2026-07-28 only: ${kb("portico-modern")})`
        : kb(t),
    );
  }
  const ric = new Map((results.ricColdStart?.cases ?? []).map((c) => [c.name, c.medianMs]));
  if (ric.size > 0) {
    const cachedRic = ric.get("portico + code cache + secret");
    row("cold: whole process through `aws-lambda-ric` (ms)", (t) => {
      if (t !== "portico" || !ric.has("portico + secret")) return fixed(ric.get(t), 1);
      const withCache = cachedRic === undefined ? "" : `; with the code cache: ${fixed(cachedRic, 1)}`;
      return `${fixed(ric.get(t), 1)} (${fixed(ric.get("portico + secret"), 1)} with \`secret\`${withCache})`;
    });
  }
  const vercel = new Map((results.vercelColdStart?.cases ?? []).map((c) => [c.name, c.medianMs]));
  if (vercel.size > 0) {
    row("cold: a request under `vercel dev` (a process per request, ms)", (t) => fixed(vercel.get(t), 0));
  }
  const rps = (t: string) => loopback(results, t, (r) => r.rps);
  row("warm req/s over loopback, behind Portico's Node adapter (legacy / modern)", (t) => {
    const [legacy, modern] = rps(t);
    return legacy === undefined && modern === undefined ? dash : `${fixed(legacy, 0)} / ${fixed(modern, 0)}`;
  });
  if (results.loopback.some((r) => r.p99Ms !== undefined && r.p99Ms !== null)) {
    row("p99 latency at that load (ms, legacy / modern)", (t) => {
      const [legacy, modern] = loopback(results, t, (r) => r.p99Ms);
      return legacy === undefined && modern === undefined
        ? dash
        : `${fixed(legacy, 1)} / ${fixed(modern, 1)}`;
    });
  }
  const latency = results.latency ?? [];
  for (const rate of [...new Set(latency.map((l) => l.rate))]) {
    const p99 = (server: string, era: string) =>
      latency.find((l) => l.rate === rate && l.server === server && l.era === era)?.p99;
    row(`p99 latency at a fixed ${rate.toLocaleString("en-US")} req/s (ms, legacy / modern)`, (t) =>
      t === "raw" || t === "portico"
        ? `${fixed((p99(t, "legacy") ?? Number.NaN) / 1000, 2)} / ${fixed((p99(t, "modern") ?? Number.NaN) / 1000, 2)}`
        : dash,
    );
  }
  if (results.idleSessions !== undefined) {
    const kib = results.idleSessions.rssBytesPerSession / 1024;
    const marginal = results.idleSessions.marginalRssBytesPerSession;
    // results written before the marginal figure existed show the total only
    const shown =
      marginal === undefined
        ? fixed(kib, 2)
        : `${fixed(marginal / 1024, 2)} marginal, ${fixed(kib, 2)} total`;
    row("RSS per idle legacy session (KiB)", (t) => (t === "portico" ? shown : dash));
  }
  const workers = results.workersCpu?.rows ?? [];
  if (workers.length > 0) {
    const us = (target: string) => workers.find((w) => w.target === target)?.cpuUsPerRequest;
    row("Workers: workerd CPU per request (µs, legacy / modern)", (t) =>
      t === "bare"
        ? fixed(us("bare"), 0)
        : t === "portico"
          ? `${fixed(us("portico-legacy"), 0)} / ${fixed(us("portico-modern"), 0)}`
          : dash,
    );
  }
  const m = results.machine;
  return [
    ...rows,
    "",
    `Medians from \`bench/results/${basename(file)}\` (${results.date.slice(0, 10)}; ${m.cpus} × ${m.cpuModel}, ` +
      `Node ${m.node}, load average ${m.loadAverage.map((l) => l.toFixed(2)).join(" / ")} at the start; ` +
      "a shared, noisy machine: compare ratios within one run, not absolute figures across runs). " +
      "Regenerate with `node --conditions=@portico/source bench/src/readme-table.ts`.",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? newestComplete();
  const results = JSON.parse(readFileSync(file, "utf8")) as Results;
  const text = readFileSync(readme, "utf8");
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  const next = `${text.slice(0, start + START.length)}\n${table(results, file)}\n${text.slice(end)}`;
  writeFileSync(readme, next);
  // The repository's formatter aligns markdown tables; `pnpm lint` checks the README that way.
  execFileSync(join(here, "..", "..", "node_modules", ".bin", "biome"), ["format", "--write", readme], {
    stdio: "ignore",
  });
  console.log(`README.md performance table regenerated from ${file}`);
}
