/**
 * Runs the pinned official MCP conformance suite against the everything server on every target
 * (adapter): both frozen requirement sets plus the unscored scenarios we track, each with its
 * baseline of expected failures. Prints a table per target and, last, exactly one line:
 *
 *   conformance: N passed, M failed
 *
 * N and M count CHECKS (entries of the suite's checks.json with status SUCCESS / FAILURE), summed
 * over all runs and targets — a finer measure than scenarios. Warnings and skips count in neither.
 * In the `--requirements` runs the set's scored scenarios count, and so do the tasks extension's
 * (`tasks-*`, which the set does not score but Portico implements: their own column, held to
 * the run's baseline); its other `not_scored` ones (pending scenarios) are shown in a column. The pending scenarios
 * we hold ourselves to anyway run again on their own (RUNS in _runs.ts) and count there.
 * The exit code is non-zero if any CLI run exited non-zero (an unexpected failure, or a baseline
 * entry that now passes) or a target failed to start.
 *
 * Usage: node --conditions=@portico/source src/run-conformance.ts [--target node] [--run 2026-07-28] [--verbose]
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { problems, readBaseline, readResults, type Tally, tally } from "./_results.ts";
import { RUNS, runCli, scoredScenarios } from "./_runs.ts";
import { TARGETS } from "./_targets.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsRoot = join(root, ".conformance-results");

const { values } = parseArgs({
  options: {
    target: { type: "string", multiple: true },
    run: { type: "string", multiple: true },
    verbose: { type: "boolean", default: false },
  },
});
const targets = TARGETS.filter((t) => !values.target || values.target.includes(t.name));
const runs = RUNS.filter((r) => !values.run || values.run.includes(r.name));

interface Row extends Tally {
  target: string;
  run: string;
  exitCode: number;
  /** Checks of not-scored scenarios in a requirements run: passed/failed. */
  unscored: string;
  /** Checks of the tasks extension's scenarios (`tasks-*`) in a requirements run: passed/failed. */
  tasks: string;
}

const rows: Row[] = [];
let ok = true;

for (const target of targets) {
  const targetDir = join(resultsRoot, target.name);
  rmSync(targetDir, { recursive: true, force: true });
  let running: Awaited<ReturnType<typeof target.start>>;
  try {
    running = await target.start();
  } catch (error) {
    console.error(`target ${target.name}: failed to start:`, error);
    ok = false;
    continue;
  }
  console.log(`target ${target.name}: ${running.url}`);
  try {
    for (const run of runs) {
      const outDir = join(targetDir, run.name);
      mkdirSync(outDir, { recursive: true });
      const baselinePath = join(
        root,
        "baselines",
        ...(target.baselineDir === undefined ? [] : [target.baselineDir]),
        run.baseline,
      );
      const expected = readBaseline(baselinePath, (path) => readFileSync(path, "utf8"));
      const args = [
        "server",
        "--url",
        running.url,
        ...run.args,
        "-o",
        outDir,
        "--expected-failures",
        baselinePath,
      ];
      const started = Date.now();
      const exitCode = await runCli(args, join(outDir, "cli.log"));
      const all = readResults(outDir);
      const scored = run.requirements ? scoredScenarios(run.requirements) : undefined;
      const results = scored ? all.filter((r) => scored.has(r.scenario)) : all;
      const isTasks = (r: { scenario: string }) => r.scenario.startsWith("tasks-");
      const extra = scored ? all.filter((r) => !scored.has(r.scenario) && !isTasks(r)) : [];
      const taskResults = scored ? all.filter(isTasks) : [];
      const t = tally(results, expected);
      const x = tally(extra);
      const k = tally(taskResults, expected);
      const unscored = scored ? `${x.passed}/${x.failed}` : "-";
      const tasks = scored ? `${k.passed}/${k.failed}` : "-";
      // The tasks scenarios count like scored ones (the CLI leaves them out of its exit code).
      t.passed += k.passed;
      t.failed += k.failed;
      t.baselined += k.baselined;
      t.warnings += k.warnings;
      rows.push({ target: target.name, run: run.name, exitCode, unscored, tasks, ...t });
      if (exitCode !== 0 || k.failed > 0) ok = false;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `  ${run.name}: ${t.passed} passed, ${t.failed} failed, ${t.warnings} warnings${t.baselined > 0 ? `, ${t.baselined} baselined` : ""} (exit ${exitCode}, ${seconds}s)`,
      );
      for (const line of problems([...results, ...taskResults], values.verbose)) console.log(`    ${line}`);
      if (x.failed > 0 && !values.verbose) {
        console.log(`    (${x.failed} failed checks in not-scored scenarios; --verbose lists them)`);
      }
      if (values.verbose) for (const line of problems(extra, true)) console.log(`    not scored: ${line}`);
      if (exitCode !== 0 && t.failed === 0) console.log(`    see ${join(outDir, "cli.log")}`);
    }
  } finally {
    await running.stop();
  }
}

printTable(rows);
const passed = rows.reduce((n, r) => n + r.passed, 0);
const failed = rows.reduce((n, r) => n + r.failed, 0);
const baselined = rows.reduce((n, r) => n + r.baselined, 0);
if (baselined > 0) console.log(`${baselined} failed checks were expected by baselines (each entry says why)`);
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exitCode = ok ? 0 : 1;

function printTable(table: Row[]): void {
  const header = [
    "target",
    "run",
    "scenarios ok/fail",
    "checks ok",
    "fail",
    "warn",
    "skip",
    "tasks ok/fail",
    "not scored ok/fail",
    "exit",
  ];
  const body = table.map((r) => [
    r.target,
    r.run,
    `${r.scenariosPassed}/${r.scenariosFailed}`,
    String(r.passed),
    String(r.failed),
    String(r.warnings),
    String(r.skipped),
    r.tasks,
    r.unscored,
    String(r.exitCode),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
  console.log("");
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const b of body) console.log(line(b));
  console.log("");
}
