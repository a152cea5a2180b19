export type { EmfInstrument, EmfOptions } from "./emf.ts";
export { emfMetrics, MAX_VALUES } from "./emf.ts";
export type {
  HttpEnd,
  Instrument,
  RequestEnd,
  RequestObservation,
  RequestStart,
  StoreObservation,
  StreamEnd,
} from "./instrument.ts";
export type { LogLevelOption } from "./levels.ts";
export { parseLevel } from "./levels.ts";
export type { LoggerConfig } from "./logger.ts";
export { StructuredLogger } from "./logger.ts";
export type { Metric, MetricUnit } from "./metrics.ts";
export { metricHook } from "./metrics.ts";
export type { ObserveOptions, Observer } from "./observe.ts";
export { observe } from "./observe.ts";
export type { Ending, Outcome } from "./outcome.ts";
export type { Redactor } from "./redact.ts";
export { REDACTED, redactor } from "./redact.ts";
export type { LogRecord, LogSink, PinoLike, PowertoolsLike } from "./sinks.ts";
export { jsonConsole, jsonLines, pinoSink, powertoolsSink } from "./sinks.ts";
export type { TargetOptions } from "./targets.ts";
export type { TraceContext } from "./trace-context.ts";
export { parseTraceparent, parseXRay, traceContextOf } from "./trace-context.ts";
export type { LineWriter } from "./writer.ts";
export { batchedWriter, stdoutWriter } from "./writer.ts";
