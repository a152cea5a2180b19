import { packageConfig } from "../../tsup.config.base.ts";

// `cloudflare:workers` (the Durable Object base class) is provided by the Workers runtime.
export default packageConfig({
  external: [/^@portico\//, /^cloudflare:/],
});
