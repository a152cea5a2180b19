import { packageConfig } from "../../tsup.config.base.ts";

export default packageConfig({ entry: { index: "src/index.ts" } });
