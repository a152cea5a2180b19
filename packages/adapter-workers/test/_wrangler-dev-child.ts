/**
 * Child process of wrangler-dev.test.ts: starts the Worker of the wrangler config given as the
 * first argument under `wrangler dev` (`devWorker`, 127.0.0.1, a free port), prints
 * `{"url": …}` once it is up, and stops it on SIGTERM. A process of its own, so that wrangler's
 * output (and a Worker that fails to load) stays out of the test runner.
 * Usage: node test/_wrangler-dev-child.ts <wrangler.jsonc>
 */
import { devWorker } from "../src/dev/index.ts";

const config = process.argv[2];
if (config === undefined) throw new Error("usage: _wrangler-dev-child.ts <wrangler.jsonc>");
const worker = await devWorker(config, { conditions: ["@portico/source", "workerd", "worker", "browser"] });
process.stdout.write(`${JSON.stringify({ url: worker.url.href })}\n`);
process.once("SIGTERM", () => {
  void worker.stop().finally(() => process.exit(0));
});
