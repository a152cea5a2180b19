/**
 * The Lambda adapter's buffered handler (`handle`): 10,000 seeded hostile requests, each invoked
 * in process as an API Gateway HTTP API / Function URL (payload 2.0) event made by `toEvent`.
 */
import { handle } from "@portico/adapter-lambda";
import { expect, it } from "vitest";
import { Reports } from "../src/reports.ts";
import { fuzz, numRunsFromEnv, seedFromEnv } from "../src/run.ts";
import { createFuzzHandler } from "../src/server.ts";
import { lambdaBufferedTransport } from "../src/transports/lambda.ts";

const SEED = seedFromEnv(0x5eed_0002);
const RUNS = numRunsFromEnv(10_000);

it(`lambda handle(): ${RUNS} hostile events (seed ${SEED})`, async () => {
  const reports = new Reports();
  const app = createFuzzHandler(reports.core);
  const transport = lambdaBufferedTransport(handle(app, { onError: reports.adapter }));
  try {
    await fuzz({ name: "lambda handle", transport, seed: SEED, numRuns: RUNS, memory: true });
  } finally {
    app.close();
    console.log(`[fuzz] lambda handle ${reports.summary()}`);
  }
  expect(reports.unexpected).toEqual([]);
}, 300_000);
