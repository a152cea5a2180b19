import { packageConfig } from "../../tsup.config.base.ts";

// Two entries: the main one, and `otel` (whose types name the optional `@opentelemetry/api`).
export default packageConfig({ entry: { index: "src/index.ts", otel: "src/otel/index.ts" } });
