import { packageConfig } from "../../tsup.config.base.ts";

// Three entries: the Web handlers (no `node:` imports: the Edge runtime loads them), the legacy
// `(req, res)` signature on top of @portico/adapter-node, and the dev stores (Node only).
export default packageConfig({
  entry: { index: "src/index.ts", node: "src/node/index.ts", dev: "src/dev/index.ts" },
  platform: "node",
  removeNodeProtocol: false,
});
