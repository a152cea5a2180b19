/**
 * Child process of test/workers.test.ts: starts the fuzz Worker (`worker/wrangler.jsonc`) under
 * `wrangler dev` on 127.0.0.1 (a free port) with workspace packages bundled from source, prints
 * `{"url": …}` once it serves, and stops it on SIGTERM. A process of its own, so that wrangler and
 * workerd stay out of the test runner.
 * Usage: node --conditions=@portico/source src/workers-child.ts
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { devWorker } from "@portico/adapter-workers/dev";

const config = join(dirname(fileURLToPath(import.meta.url)), "..", "worker", "wrangler.jsonc");
const worker = await devWorker(config, { conditions: ["@portico/source", "workerd", "worker", "browser"] });
process.stdout.write(`${JSON.stringify({ url: worker.url.href })}\n`);
process.once("SIGTERM", () => {
  void worker.stop().finally(() => process.exit(0));
});
