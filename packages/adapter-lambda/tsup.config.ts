import { packageConfig } from "../../tsup.config.base.ts";

// Two entries: the Lambda handlers (no `node:` imports) and the local dev server (Node only).
export default packageConfig({
  entry: { index: "src/index.ts", dev: "src/dev/index.ts" },
  platform: "node",
  removeNodeProtocol: false,
});
