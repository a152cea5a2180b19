import { packageConfig } from "../../tsup.config.base.ts";

// Two entries: the Worker side (`cloudflare:workers` is provided by the Workers runtime) and the
// Node-only `devWorker` helper (wrangler is an optional peer, loaded on call).
export default packageConfig({
  entry: { index: "src/index.ts", dev: "src/dev/index.ts" },
  external: [/^@portico\//, /^cloudflare:/, "wrangler"],
  platform: "node",
  removeNodeProtocol: false,
});
