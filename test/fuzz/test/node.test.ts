/**
 * The Node adapter: `serve` on 127.0.0.1 (a free port), real HTTP over loopback with a keep-alive
 * agent, 10,000 seeded hostile requests.
 */
import { serve } from "@portico/adapter-node";
import { expect, it } from "vitest";
import { Reports } from "../src/reports.ts";
import { fuzz, numRunsFromEnv, seedFromEnv } from "../src/run.ts";
import { createFuzzHandler } from "../src/server.ts";
import { httpTransport } from "../src/transports/http.ts";

const SEED = seedFromEnv(0x5eed_0001);
const RUNS = numRunsFromEnv(10_000);

it(`node serve(): ${RUNS} hostile requests over HTTP (seed ${SEED})`, async () => {
  const reports = new Reports();
  const app = createFuzzHandler(reports.core);
  const server = await serve(app, { port: 0, hostname: "127.0.0.1", onError: reports.adapter });
  const transport = httpTransport(server.url);
  try {
    await fuzz({ name: "node", transport, seed: SEED, numRuns: RUNS, memory: true, parallel: 4 });
  } finally {
    console.log(`[fuzz] node: requests sent again after the keep-alive race: ${transport.retries}`);
    transport.close();
    await server.close();
    app.close();
    console.log(`[fuzz] node ${reports.summary()}`);
  }
  expect(reports.unexpected).toEqual([]);
}, 300_000);
