export { QUIET_WRANGLER_ENV } from "./_wrangler.ts";
export type { BundleWorkerOptions, WorkerBundle } from "./bundle-worker.ts";
export { bundleWorker } from "./bundle-worker.ts";
export type { DevWorker, DevWorkerOptions } from "./dev-worker.ts";
export { devWorker } from "./dev-worker.ts";
