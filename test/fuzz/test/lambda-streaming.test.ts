/**
 * The Lambda adapter's streaming handler (`streamHandle`, Function URL RESPONSE_STREAM): 10,000
 * seeded hostile requests, each invoked in process with a payload 2.0 event made by `toEvent` and
 * a response stream shaped like the runtime's (status line with the first write).
 */
import { streamHandle } from "@portico/adapter-lambda";
import { expect, it } from "vitest";
import { Reports } from "../src/reports.ts";
import { fuzz, numRunsFromEnv, seedFromEnv } from "../src/run.ts";
import { createFuzzHandler } from "../src/server.ts";
import { installLambdaRuntime, lambdaStreamingTransport } from "../src/transports/lambda.ts";

installLambdaRuntime();

const SEED = seedFromEnv(0x5eed_0003);
const RUNS = numRunsFromEnv(10_000);

it(`lambda streamHandle(): ${RUNS} hostile events (seed ${SEED})`, async () => {
  const reports = new Reports();
  const app = createFuzzHandler(reports.core);
  const transport = lambdaStreamingTransport(streamHandle(app, { onError: reports.adapter }));
  try {
    await fuzz({ name: "lambda streamHandle", transport, seed: SEED, numRuns: RUNS, memory: true });
  } finally {
    app.close();
    console.log(`[fuzz] lambda streamHandle ${reports.summary()}`);
  }
  expect(reports.unexpected).toEqual([]);
}, 300_000);
