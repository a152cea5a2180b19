/**
 * The Vercel adapter's exported Web handlers (`handle(app)` → `{ GET, POST, DELETE, OPTIONS, fetch }`),
 * called in process as Vercel's Node.js runtime calls them: 10,000 seeded hostile requests.
 */
import { handle } from "@portico/adapter-vercel";
import { expect, it } from "vitest";
import { Reports } from "../src/reports.ts";
import { fuzz, numRunsFromEnv, seedFromEnv } from "../src/run.ts";
import { createFuzzHandler } from "../src/server.ts";
import { vercelTransport } from "../src/transports/vercel.ts";

const SEED = seedFromEnv(0x5eed_0004);
const RUNS = numRunsFromEnv(10_000);

it(`vercel handle(): ${RUNS} hostile requests (seed ${SEED})`, async () => {
  const reports = new Reports();
  const app = createFuzzHandler(reports.core);
  const transport = vercelTransport(handle(app, { onError: reports.adapter, maxDuration: 60 }));
  try {
    await fuzz({ name: "vercel handle", transport, seed: SEED, numRuns: RUNS, memory: true });
  } finally {
    app.close();
    console.log(`[fuzz] vercel handle ${reports.summary()}`);
  }
  expect(reports.unexpected).toEqual([]);
}, 300_000);
