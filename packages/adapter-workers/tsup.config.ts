import { packageConfig } from "../../tsup.config.base.ts";

// Two entries: the Worker side (`handle`; any `cloudflare:` module is the Workers runtime's) and the
// Node-only helpers (`devWorker`, `bundleWorker`; wrangler is an optional peer, loaded on call).
export default packageConfig({
  entry: { index: "src/index.ts", dev: "src/dev/index.ts" },
  external: [/^@portico\//, /^cloudflare:/, "wrangler"],
  platform: "node",
  removeNodeProtocol: false,
});
