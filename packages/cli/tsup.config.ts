import { packageConfig } from "../../tsup.config.base.ts";

// Two entries: the programmatic API and the `portico` command (its shebang kept by esbuild). With
// code splitting, dist/bin.js is only the Node version check; the rest loads after it passes.
// Keep `node:` specifiers (tsup strips them by default).
export default packageConfig({
  entry: { index: "src/index.ts", bin: "src/bin.ts" },
  platform: "node",
  removeNodeProtocol: false,
  splitting: true,
});
