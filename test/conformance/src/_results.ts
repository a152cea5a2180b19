/** Reads the `checks.json` files the CLI writes (`<dir>/server-<scenario>-<timestamp>/checks.json`). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Check {
  id: string;
  name?: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
  errorMessage?: string;
}

export interface ScenarioResult {
  scenario: string;
  checks: Check[];
}

export interface Tally {
  scenariosPassed: number;
  scenariosFailed: number;
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  /** Failed checks the target's baseline expects (not counted in `failed`). */
  baselined: number;
}

const DIR_NAME = /^server-(.+)-\d{4}-\d{2}-\d{2}T/;

export function readResults(dir: string): ScenarioResult[] {
  if (!existsSync(dir)) return [];
  const out: ScenarioResult[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const file = join(dir, entry.name, "checks.json");
    if (!existsSync(file)) continue;
    const scenario = DIR_NAME.exec(entry.name)?.[1] ?? entry.name;
    const checks = JSON.parse(readFileSync(file, "utf8")) as Check[];
    out.push({ scenario, checks: Array.isArray(checks) ? checks : [] });
  }
  return out.sort((a, b) => a.scenario.localeCompare(b.scenario));
}

export function tally(results: ScenarioResult[], expected: ReadonlySet<string> = new Set()): Tally {
  const t: Tally = {
    scenariosPassed: 0,
    scenariosFailed: 0,
    passed: 0,
    failed: 0,
    warnings: 0,
    skipped: 0,
    baselined: 0,
  };
  for (const r of results) {
    let failed = false;
    for (const c of r.checks) {
      if (c.status === "SUCCESS") t.passed++;
      else if (c.status === "FAILURE") {
        if (expected.has(r.scenario) || expected.has(`${r.scenario}:${c.id}`)) t.baselined++;
        else t.failed++;
        failed = true;
      } else if (c.status === "WARNING") t.warnings++;
      else if (c.status === "SKIPPED") t.skipped++;
    }
    if (failed) t.scenariosFailed++;
    else t.scenariosPassed++;
  }
  return t;
}

/** `scenario:check-id  message` for every failed (and, optionally, warned) check. */
export function problems(results: ScenarioResult[], withWarnings: boolean): string[] {
  const lines: string[] = [];
  for (const r of results) {
    for (const c of r.checks) {
      if (c.status === "FAILURE" || (withWarnings && c.status === "WARNING")) {
        const message = (c.errorMessage ?? "").replace(/\s+/g, " ").slice(0, 200);
        lines.push(`${c.status === "FAILURE" ? "FAIL" : "WARN"} ${r.scenario}:${c.id}  ${message}`);
      }
    }
  }
  return lines;
}

/** The entries of a baseline file (`server:` list of `scenario` or `scenario:check-id`). */
export function readBaseline(path: string, read: (path: string) => string): Set<string> {
  const entries = new Set<string>();
  for (const line of read(path).split("\n")) {
    const match = /^\s*-\s+([^\s#]+)/.exec(line);
    if (match?.[1] !== undefined) entries.add(match[1]);
  }
  return entries;
}
