import { packageConfig } from "../../tsup.config.base.ts";

// Two entries: the batteries (any runtime, workerd included) and Node-only helpers (child processes).
export default packageConfig({
  entry: { index: "src/index.ts", node: "src/node/index.ts" },
  external: [/^@portico\//, "vitest"],
});
