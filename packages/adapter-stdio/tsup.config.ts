import { packageConfig } from "../../tsup.config.base.ts";

// Keep `node:` specifiers: they work in Node, Bun and Deno alike (tsup strips them by default).
export default packageConfig({ platform: "node", removeNodeProtocol: false });
