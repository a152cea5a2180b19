/**
 * Writes the fault suite's figures to `bench/results/faults-<date>.{md,json}` (the JSON is the
 * full reports; the Markdown a summary table, the failed checks with their observations, and per
 * scenario its outages, streams and timeline).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ScenarioReport } from "./scenarios.ts";
import { BOUNDS } from "./scenarios.ts";
import { isoDate } from "./util.ts";

export const RESULTS_DIR = fileURLToPath(new URL("../../../bench/results/", import.meta.url));

const cell = (value: unknown) =>
  String(value ?? "–")
    .replaceAll("|", "\\|")
    .replaceAll("\n", " ");

function recovery(report: ScenarioReport): string {
  if (report.outages.length === 0) return "–";
  return report.outages.map((o) => `${o.firstSuccessMs ?? "never"} / ${o.fullRecoveryMs}`).join("; ");
}

export function faultsMarkdown(reports: ScenarioReport[], when = new Date()): string {
  const lines: string[] = [];
  lines.push(`# Fault injection — ${isoDate(when)}`);
  lines.push("");
  lines.push(
    `\`test/faults\` (\`PORTICO_FAULTS_RESULTS=1\`), Node ${process.version}, ${process.platform}/${process.arch}. ` +
      "Three instances (`@portico/adapter-node` `serve()`, one process each) behind a round-robin HTTP proxy on 127.0.0.1; " +
      "Redis: `redis-server` with AOF (`appendfsync always`); DynamoDB: dynalite over LevelDB (`--path`).",
  );
  lines.push("");
  lines.push(
    `Bounds: storeTimeoutMs ${BOUNDS.storeTimeoutMs}, grace ${BOUNDS.gracefulMs}, leaseMs ${BOUNDS.leaseMs}, ` +
      `freeze ${BOUNDS.freezeMs}, store down ${BOUNDS.downMs}, recovery ≤ ${BOUNDS.recoveryMs}, stream slack ${BOUNDS.slackMs}, ` +
      `plain request ≤ ${BOUNDS.requestMs} (ms).`,
  );
  lines.push("");
  lines.push(
    "| store | scenario | requests | 503 (with Retry-After) | 500 | 502 | recovery ms (first success / last failure) | hung streams | lost writes | lost sessions | checks |",
  );
  lines.push("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |");
  for (const r of reports) {
    const passed = r.checks.filter((c) => c.ok).length;
    lines.push(
      `| ${r.store} | ${cell(r.title)} | ${r.traffic.requests} | ${r.traffic.http503} (${r.traffic.http503WithRetryAfter}) | ${r.traffic.http500} | ${r.traffic.http502} | ${recovery(r)} | ${r.streams.hung} | ${r.writes.notesLost + r.writes.levelsLost} of ${r.writes.notesAcked + r.writes.levelsAcked} | ${r.writes.sessionsLost} of ${r.writes.sessionsAcked} | ${passed}/${r.checks.length} |`,
    );
  }
  for (const r of reports) {
    lines.push("");
    lines.push(`## ${r.store}: ${r.title}`);
    lines.push("");
    lines.push(
      `Started ${r.startedAt}, ${r.durationMs} ms. Timeline (ms): ${Object.entries(r.timeline)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}.`,
    );
    lines.push("");
    for (const c of r.checks) lines.push(`- ${c.ok ? "✅" : "❌"} ${c.name}`);
    const failed = r.checks.filter((c) => !c.ok);
    for (const c of failed) {
      lines.push("");
      lines.push(`**Failed: ${c.name}**`);
      lines.push("");
      lines.push("```");
      lines.push(c.detail.trim());
      lines.push("```");
    }
    lines.push("");
    lines.push(
      `Traffic: ${r.traffic.requests} requests, ${r.traffic.ok} ok; by result ${JSON.stringify(r.traffic.byResult)}; ` +
        `by status ${JSON.stringify(r.traffic.byStatus)}; p50 ${r.traffic.p50Ms ?? "–"} ms, p99 ${r.traffic.p99Ms ?? "–"} ms (ok plain requests). ` +
        `Proxy: ${JSON.stringify(r.proxy)}.`,
    );
    if (r.outages.length > 0) {
      lines.push("");
      lines.push(
        "| outage | down ms | requests overlapping | 503 | with Retry-After | other legacy failures | modern ok | first success ms | last failure ms |",
      );
      lines.push("| --- | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: |");
      for (const o of r.outages) {
        lines.push(
          `| ${o.name} | ${o.downMs} | ${o.requests} | ${o.http503} | ${o.http503WithRetryAfter} | ${cell(JSON.stringify(o.otherFailures))} | ${o.modern.ok}/${o.modern.requests} | ${o.firstSuccessMs ?? "never"} | ${o.fullRecoveryMs} |`,
        );
      }
      for (const o of r.outages.filter((o) => o.failuresAfterBack.length > 0)) {
        lines.push("");
        lines.push(`Failed after the store was back (${o.name}; t = ms after it was back):`);
        lines.push("");
        lines.push("```");
        lines.push(...o.failuresAfterBack);
        lines.push("```");
      }
    }
    lines.push("");
    lines.push(
      `Writes: ${r.writes.sessionsAcked} sessions, ${r.writes.notesAcked} notes (${r.writes.notesUnacked} not acknowledged), ` +
        `${r.writes.levelsAcked} setLevel acknowledged; lost: ${r.writes.sessionsLost} sessions, ${r.writes.notesLost} notes, ${r.writes.levelsLost} levels.`,
    );
    lines.push("");
    lines.push("| stream | era | end | ms | margin ms | progress | legs |");
    lines.push("| --- | --- | --- | ---: | ---: | ---: | --- |");
    for (const s of r.streams.list) {
      lines.push(
        `| ${s.label} | ${s.era} ${s.kind} | ${s.endKind}${s.finalId === null ? " (id null)" : ""} | ${s.durationMs} | ${s.marginMs} | ${s.progress} | ${cell(s.legs)} |`,
      );
    }
    const errors = Object.entries(r.instanceErrors).filter(([, e]) => Object.keys(e).length > 0);
    if (errors.length > 0) {
      lines.push("");
      lines.push(
        `Instance onError counts: ${errors.map(([name, e]) => `${name} ${JSON.stringify(e)}`).join("; ")}.`,
      );
    }
  }
  lines.push("");
  return lines.join("\n");
}

/**
 * Where `PORTICO_FAULTS_RESULTS` says to write: `1` → bench/results/, a path → that directory,
 * unset (or anything else false-like) → nowhere.
 */
export function resultsTarget(value = process.env.PORTICO_FAULTS_RESULTS): string | undefined {
  if (value === undefined || value === "" || value === "0" || value === "false") return undefined;
  return value === "1" || value === "true" ? RESULTS_DIR : value.endsWith("/") ? value : `${value}/`;
}

/** Writes `faults-<date>.md` and `.json` into `dir`; returns their paths. */
export function writeFaultResults(reports: ScenarioReport[], dir = RESULTS_DIR, when = new Date()): string[] {
  mkdirSync(dir, { recursive: true });
  const base = `${dir}faults-${isoDate(when)}`;
  const json = {
    date: when.toISOString(),
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    bounds: BOUNDS,
    reports,
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${base}.md`, faultsMarkdown(reports, when));
  return [`${base}.md`, `${base}.json`];
}
