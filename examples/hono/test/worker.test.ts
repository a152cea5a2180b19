/** The Worker entry under `wrangler dev` (workerd on 127.0.0.1): REST and MCP in one Worker. */
import { fileURLToPath } from "node:url";
import { type DevWorker, devWorker } from "@portico/adapter-workers/dev";
import { afterAll, beforeAll, it } from "vitest";
import { booksScenario } from "./_scenario.ts";

let worker: DevWorker;
beforeAll(async () => {
  worker = await devWorker(fileURLToPath(new URL("../wrangler.jsonc", import.meta.url)), {
    conditions: ["@portico/source", "workerd", "worker", "browser"],
  });
}, 90_000);
afterAll(() => worker?.stop());

it("serves the Books API and its MCP face on Workers", async () => {
  await booksScenario(worker.url);
}, 30_000);
