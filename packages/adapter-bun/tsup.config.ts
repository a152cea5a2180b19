import { packageConfig } from "../../tsup.config.base.ts";

// Web APIs and the `Bun` global only: no `node:` imports, nothing platform-specific to bundle.
export default packageConfig();
