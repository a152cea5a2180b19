/**
 * `@portico/observe/otel`: OpenTelemetry spans and metrics through the `@opentelemetry/api` you
 * pass. A separate entry, so the main one's types never name `@opentelemetry/api` (an optional peer).
 */
export type { MeterLike } from "./metrics.ts";
export { otelMetrics } from "./metrics.ts";
export type { OtelTraceApi, OtelTracesOptions } from "./traces.ts";
export { otelTraces } from "./traces.ts";
