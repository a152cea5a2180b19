import { packageConfig } from "../../tsup.config.base.ts";

export default packageConfig({
  entry: { index: "src/index.ts", node: "src/node/index.ts", cli: "src/node/cli.ts" },
});
