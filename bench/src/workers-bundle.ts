/**
 * Workers bundle size: the script `wrangler deploy` uploads for each target, built offline with
 * `wrangler deploy --dry-run` (as deployed, and with `--minify`), raw and gzipped — the Workers
 * script size limits count the gzipped size (3 MB on the Free plan, 10 MB on paid plans). Also
 * checks that no bundle generates code from strings. Alone it writes
 * bench/results/<date>-workers-bundle.md:
 *
 *   node --conditions=@portico/source src/workers-bundle.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleWorker } from "@portico/adapter-workers/dev";
import { generatesCode } from "@portico/test-kit/node";
import { machine } from "./report.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = join(here, "..", "..");
const CONDITIONS = ["@portico/source", "workerd", "worker", "browser"];

interface Target {
  name: string;
  what: string;
  /** A wrangler config file, or the entry to write a minimal config for. */
  config?: string;
  entry?: string;
}

const TARGETS: Target[] = [
  {
    name: "quickstart",
    what: "examples/quickstart/workers: its tools (chart_sales with its MCP App view, a 540 KB HTML string), a resource, a prompt; Durable Object stores and class; both eras",
    config: join(repo, "examples", "quickstart", "workers", "wrangler.jsonc"),
  },
  {
    name: "portico",
    what: "the bench's `add` tool behind `handle()`, in-memory stores (no Durable Object)",
    entry: join(here, "..", "workers", "portico.ts"),
  },
  {
    name: "bare",
    what: "a hand-written `add` handler, no protocol checks (the floor)",
    entry: join(here, "..", "workers", "bare.ts"),
  },
];

interface Row {
  target: Target;
  wrangler: string;
  bytes: number;
  gzip: number;
  minBytes: number;
  minGzip: number;
  codeGeneration: boolean;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function measure(target: Target, scratch: string): Promise<Row> {
  let config = target.config;
  if (config === undefined) {
    config = join(scratch, `${target.name}.jsonc`);
    writeFileSync(
      config,
      JSON.stringify({ name: `bench-${target.name}`, main: target.entry, compatibility_date: "2026-11-01" }),
    );
  }
  const plain = await bundleWorker(config, { conditions: CONDITIONS });
  const minified = await bundleWorker(config, { conditions: CONDITIONS, minify: true });
  return {
    target,
    wrangler: plain.wranglerVersion,
    bytes: plain.bytes,
    gzip: plain.gzipBytes,
    minBytes: minified.bytes,
    minGzip: minified.gzipBytes,
    codeGeneration: generatesCode(plain.code) || generatesCode(minified.code),
  };
}

/** Bundles every target; returns the results as a Markdown section (fails on code generation found). */
export async function workersBundleBench(): Promise<string> {
  const scratch = mkdtempSync(join(tmpdir(), "portico-workers-bundle-"));
  const rows: Row[] = [];
  try {
    for (const target of TARGETS) {
      const row = await measure(target, scratch);
      rows.push(row);
      process.stdout.write(
        `${target.name}: ${kb(row.bytes)} (${kb(row.gzip)} gzip), minified ${kb(row.minBytes)} (${kb(row.minGzip)} gzip)\n`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const found = rows.filter((r) => r.codeGeneration).map((r) => r.target.name);
  if (found.length > 0)
    throw new Error(`eval or the Function constructor in the bundle of ${found.join(", ")}`);
  return [
    `## Workers bundle (\`wrangler deploy --dry-run\`, wrangler ${rows[0]?.wrangler ?? "?"}, offline)`,
    "",
    "| target | as deployed | gzip | `--minify` | gzip | eval / Function() |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.target.name} | ${kb(r.bytes)} | ${kb(r.gzip)} | ${kb(r.minBytes)} | ${kb(r.minGzip)} | none |`,
    ),
    "",
    ...rows.map((r) => `- **${r.target.name}**: ${r.target.what}.`),
    "",
    "Workers count the gzipped script against the limit: 3 MB (Free plan), 10 MB (paid plans).",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const host = machine();
  const date = new Date().toISOString().slice(0, 10);
  const md = `# Workers bundle size, ${date}\n\nMachine: ${host.os}, ${host.cpus}× ${host.cpuModel}, Node ${host.node}.\n\n${await workersBundleBench()}\n`;
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}${date}-workers-bundle.md`, md);
  process.stdout.write(`wrote ${dir}${date}-workers-bundle.md\n`);
}
