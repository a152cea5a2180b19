/**
 * The everything server as a Cloudflare Worker (`workers/index.ts`) under `wrangler dev`: workerd
 * with local SQLite Durable Objects on 127.0.0.1, inspector and file watching off.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { devWorker } from "@portico/adapter-workers/dev";
import type { Target } from "./_targets.ts";
import { MCP_PATH } from "./app.ts";

const config = join(dirname(fileURLToPath(import.meta.url)), "..", "workers", "wrangler.jsonc");

export const workers: Target = {
  name: "workers",
  async start() {
    const worker = await devWorker(config, {
      vars: {
        PORTICO_EVERYTHING_SECRET:
          process.env.PORTICO_EVERYTHING_SECRET ?? "portico-everything-conformance-only",
      },
      // The workspace packages are bundled from their TypeScript sources.
      conditions: ["@portico/source", "workerd", "worker", "browser"],
    });
    return { url: new URL(MCP_PATH, worker.url).href, stop: () => worker.stop() };
  },
};
