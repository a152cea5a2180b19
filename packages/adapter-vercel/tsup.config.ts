import { packageConfig } from "../../tsup.config.base.ts";

// Four entries: the Web handlers (no `node:` imports: the Edge runtime loads them), the legacy
// `(req, res)` signature on top of @portico/adapter-node, the dev stores (Node only), and the dev
// daemon's script, which `vercelDevDefaults` (in dev.js) runs as `dist/dev-daemon.js`.
export default packageConfig({
  entry: {
    index: "src/index.ts",
    node: "src/node/index.ts",
    dev: "src/dev/index.ts",
    "dev-daemon": "src/dev/dev-daemon.ts",
  },
  platform: "node",
  removeNodeProtocol: false,
});
