/**
 * Fault injection (see ../README.md): for each store — a real redis-server, and dynalite standing
 * in for DynamoDB — three instances behind a round-robin proxy on 127.0.0.1, and three scenarios
 * under traffic: (a) the store frozen then restarted, (b) an instance killed mid-stream, (c)
 * SIGTERM during long calls. Each scenario runs once (in its `beforeAll`); every check is its own
 * test, failing with the exact observation.
 *
 * PORTICO_FAULTS_STORES=redis (or dynamodb) runs one store only, PORTICO_FAULTS_SCENARIOS=a,c some
 * scenarios only. PORTICO_FAULTS_RESULTS=1 writes the
 * figures to bench/results/faults-<date>.{md,json} (a directory instead of 1 writes there); off by
 * default, so CI runs leave the tree clean.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultsTarget, writeFaultResults } from "../src/results.ts";
import {
  CHECKS,
  Cluster,
  SCENARIOS,
  type ScenarioId,
  type ScenarioReport,
  TITLES,
} from "../src/scenarios.ts";
import type { StoreKind } from "../src/stores.ts";

const STORES = (process.env.PORTICO_FAULTS_STORES ?? "redis,dynamodb")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is StoreKind => s === "redis" || s === "dynamodb");
const IDS = (process.env.PORTICO_FAULTS_SCENARIOS ?? "a,b,c")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is ScenarioId => s === "a" || s === "b" || s === "c");
const reports: ScenarioReport[] = [];

afterAll(() => {
  const dir = resultsTarget();
  if (dir !== undefined && reports.length > 0) {
    for (const path of writeFaultResults(reports, dir)) console.log(`fault figures written to ${path}`);
  }
});

for (const kind of STORES) {
  describe(`faults over ${kind}`, () => {
    let cluster: Cluster | undefined;

    beforeAll(async () => {
      cluster = await Cluster.start(kind);
    }, 60_000);

    afterAll(async () => {
      await cluster?.close();
    }, 30_000);

    for (const id of IDS) {
      describe(TITLES[id], () => {
        let report: ScenarioReport | undefined;

        beforeAll(async () => {
          if (cluster === undefined) throw new Error("the cluster did not start");
          report = await SCENARIOS[id](cluster);
          reports.push(report);
        }, 120_000);

        for (const name of CHECKS[id]) {
          it(name, () => {
            const found = report?.checks.find((c) => c.name === name);
            expect(found, `check "${name}" was not evaluated`).toBeDefined();
            expect(found?.ok, `${name}\n${found?.detail ?? ""}`).toBe(true);
          });
        }
      });
    }
  });
}
