import { packageConfig } from "../../tsup.config.base.ts";

// Node only (a CLI): keep `node:` specifiers as they are.
export default packageConfig({ platform: "node", target: "node20", removeNodeProtocol: false });
