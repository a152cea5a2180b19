/**
 * What serving an OpenAPI document as MCP tools costs (issue 20, item 1), for a small real spec
 * (Swagger Petstore 3.0, from `@readme/oas-examples`) and a large one (GitHub's REST API, from
 * `@octokit/openapi`: about a thousand operations):
 *
 * - conversion: `fromOpenAPI(server, text)` timed in fresh processes (median), and the heap it leaves
 *   (after a forced GC) with the tool count;
 * - bundle: the Lambda entry `lambda/portico-openapi.ts` (core, the Lambda adapter, `@portico/openapi`
 *   and its parsers) bundled by esbuild, min and min+gzip, beside the plain `portico` entry;
 * - cold start of that Lambda: a fresh `node` process importing the bundle — which reads the document
 *   shipped beside it and converts it at init — and answering one 2026-07-28 `tools/list` event
 *   (median), beside the plain entry answering `tools/call add`.
 *
 *   node --conditions=@portico/source src/openapi-cost.ts        (OPENAPI_RUNS, default 7)
 *
 * writes `results/<date>-openapi-cost.{json,md}`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle, event } from "./cold-start.ts";
import { machine, median } from "./report.ts";

const RUNS = Number(process.env.OPENAPI_RUNS ?? 7);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const fromOpenapiPackage = createRequire(here("../../packages/openapi/package.json"));
const SPECS = {
  petstore: fromOpenapiPackage.resolve("@readme/oas-examples/3.0/json/petstore.json"),
  github: fromOpenapiPackage.resolve("@octokit/openapi/generated/api.github.com.json"),
} as const;
type SpecName = keyof typeof SPECS;

if (process.argv[2] === "--convert") {
  // Child: one conversion in a fresh process (run with --expose-gc).
  const { McpServer } = await import("@portico/core");
  const { fromOpenAPI } = await import("@portico/openapi");
  const text = readFileSync(process.argv[3] as string, "utf8");
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  gc();
  const before = process.memoryUsage().heapUsed;
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  const started = performance.now();
  const registration = await fromOpenAPI(server, text, { baseUrl: "https://api.example.com" });
  const ms = performance.now() - started;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  process.stdout.write(
    `${JSON.stringify({ ms, heapMb, tools: registration.tools.length, skipped: registration.skipped.length })}\n`,
  );
  process.exit(0);
}

function listEvent(): string {
  const base = JSON.parse(event("portico")) as { headers: Record<string, string>; body: string };
  base.headers["mcp-method"] = "tools/list";
  delete base.headers["mcp-name"];
  const body = JSON.parse(base.body) as { method: string; params: Record<string, unknown> };
  body.method = "tools/list";
  body.params = { _meta: body.params._meta };
  base.body = JSON.stringify(body);
  return JSON.stringify(base);
}

const lastLine = (out: string) => JSON.parse(out.trim().split("\n").at(-1) ?? "{}");
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

const conversions: Record<string, { ms: number; heapMb: number; tools: number; skipped: number }[]> = {};
for (const name of Object.keys(SPECS) as SpecName[]) {
  conversions[name] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", "--conditions=@portico/source", here("./openapi-cost.ts"), "--convert", SPECS[name]],
      { encoding: "utf8", maxBuffer: 1 << 20 },
    );
    conversions[name].push(lastLine(out));
  }
}

const dir = mkdtempSync(join(tmpdir(), "portico-openapi-"));
try {
  const plain = await bundle("portico", dir);
  const openapi = await bundle("portico-openapi" as never, dir, here("./lambda/portico-openapi.ts"));
  const cold: Record<string, number[]> = { portico: [], petstore: [], github: [] };
  let firstPage = 0;
  let rssMb = 0;
  for (let round = 0; round < RUNS; round++) {
    const plainRun = lastLine(
      execFileSync(process.execPath, [here("./lambda/_invoke.mjs"), plain.file, event("portico")], {
        encoding: "utf8",
      }),
    );
    if (!plainRun.ok) throw new Error("the plain bundle did not answer add(2, 3) = 5");
    cold.portico?.push(plainRun.ms);
    for (const name of Object.keys(SPECS) as SpecName[]) {
      const run = lastLine(
        execFileSync(process.execPath, [here("./lambda/_invoke.mjs"), openapi.file, listEvent()], {
          encoding: "utf8",
          env: { ...process.env, SPEC_FILE: SPECS[name] },
        }),
      );
      if (!(run.tools > 0)) throw new Error(`${name}: tools/list answered no tools (status ${run.status})`);
      cold[name]?.push(run.ms);
      if (name === "github") {
        firstPage = run.tools;
        rssMb = Math.max(rssMb, run.rssMb);
      }
    }
  }
  const date = new Date().toISOString().slice(0, 10);
  const figures = {
    date,
    machine: machine(),
    node: process.version,
    runs: RUNS,
    conversion: Object.fromEntries(
      Object.entries(conversions).map(([name, runs]) => [
        name,
        {
          medianMs: median(runs.map((r) => r.ms)),
          heapMb: median(runs.map((r) => r.heapMb)),
          tools: runs[0]?.tools,
          skipped: runs[0]?.skipped,
        },
      ]),
    ),
    bundle: {
      portico: { min: plain.min, gzip: plain.gzip },
      openapi: { min: openapi.min, gzip: openapi.gzip },
    },
    coldStartMs: Object.fromEntries(Object.entries(cold).map(([name, runs]) => [name, median(runs)])),
    githubFirstPage: firstPage,
    githubColdRssMb: rssMb,
    openapiInputs: openapi.inputs.slice(0, 12),
  };
  const c = figures.conversion as Record<
    string,
    { medianMs: number; heapMb: number; tools: number; skipped: number }
  >;
  const md = [
    `# OpenAPI → MCP: conversion, bundle and cold start (${date})`,
    "",
    `Node ${process.version}, ${figures.machine.cpus} × ${figures.machine.cpuModel}; medians of ${RUNS} fresh processes. \`bench/src/openapi-cost.ts\`.`,
    "",
    "| spec | operations → tools (skipped) | conversion | heap after conversion |",
    "|---|---|---|---|",
    ...Object.entries(c).map(
      ([name, f]) =>
        `| ${name} | ${f.tools} (${f.skipped}) | ${f.medianMs.toFixed(1)} ms | ${f.heapMb.toFixed(1)} MB |`,
    ),
    "",
    "| Lambda bundle | min | min+gzip |",
    "|---|---|---|",
    `| portico (the \`add\` tool) | ${kb(plain.min)} | ${kb(plain.gzip)} |`,
    `| portico + @portico/openapi (document read at init, not bundled) | ${kb(openapi.min)} | ${kb(openapi.gzip)} |`,
    "",
    "| cold start: import + first answer, in process | median |",
    "|---|---|",
    `| portico, \`tools/call add\` | ${median(cold.portico ?? []).toFixed(1)} ms |`,
    `| petstore as MCP, \`tools/list\` | ${median(cold.petstore ?? []).toFixed(1)} ms |`,
    `| GitHub as MCP, \`tools/list\` (first page: ${firstPage} tools; RSS ${rssMb.toFixed(0)} MB) | ${median(cold.github ?? []).toFixed(1)} ms |`,
    "",
    "Largest inputs of the openapi bundle (min bytes):",
    "",
    ...openapi.inputs.slice(0, 12).map(([path, n]) => `- ${path}: ${n}`),
    "",
  ].join("\n");
  const results = here(`../results/${date}-openapi-cost`);
  writeFileSync(`${results}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  writeFileSync(`${results}.md`, md);
  console.log(md);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
