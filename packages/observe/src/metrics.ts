/**
 * The metrics of an MCP request, of an HTTP request that became none, of a long-lived stream and
 * of a store call, as plain records: what `metricHook(fn)` hands you, what `emfMetrics()` writes as
 * CloudWatch Embedded Metric Format, and what `otelMetrics(meter)` records (there under the
 * OpenTelemetry MCP names).
 */
import type { HttpEnd, Instrument, RequestEnd, RequestStart, StreamEnd } from "./instrument.ts";
import { errorType } from "./outcome.ts";
import { quietly } from "./quietly.ts";
import { type TargetDimension, type TargetOptions, targetDimension } from "./targets.ts";

export type MetricUnit = "Count" | "Milliseconds" | "Bytes";

/**
 * One measurement. Dimensions are low-cardinality: method, target (tool/prompt name or resource
 * URI), outcome, HTTP method and status, stream kind.
 */
export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** The counts of one request: `Requests` (1) and how it ended, each 0 or 1. */
export function requestCounts(start: RequestStart, end: RequestEnd): Record<string, number> {
  const { outcome } = end.ending;
  return {
    Requests: 1,
    Errors: outcome === "error" ? 1 : 0,
    ToolErrors: outcome === "tool_error" ? 1 : 0,
    InputRequired: outcome === "input_required" ? 1 : 0,
    Cancelled: outcome === "cancelled" ? 1 : 0,
    Streamed: end.streamed ? 1 : 0,
    ColdStarts: start.coldStart ? 1 : 0,
  };
}

/** `Duration` and the counts of how a request ended, with its `Method` (and `Target`, when `targetOf` gives one). */
export function requestMetrics(start: RequestStart, end: RequestEnd, targetOf: TargetDimension): Metric[] {
  const dimensions: Record<string, string> = { Method: start.call.method };
  const target = targetOf(start, end);
  if (target !== undefined) dimensions.Target = target;
  const metrics: Metric[] = Object.entries(requestCounts(start, end)).map(([name, value]) => ({
    name,
    value,
    unit: "Count",
    dimensions,
  }));
  metrics.splice(1, 0, { name: "Duration", value: end.durationMs, unit: "Milliseconds", dimensions });
  const kind = errorType(end.ending);
  if (end.ending.outcome === "error" && kind !== undefined) {
    metrics.push({
      name: "ErrorsByType",
      value: 1,
      unit: "Count",
      dimensions: { ...dimensions, ErrorType: kind },
    });
  }
  return metrics;
}

/** `StoreLatency` and `StoreErrors` of one store call, with its `Operation` (`sessions.get`, …). */
export function storeMetrics(operation: string, durationMs: number, error: unknown): Metric[] {
  const dimensions = { Operation: operation };
  return [
    { name: "StoreLatency", value: durationMs, unit: "Milliseconds", dimensions },
    { name: "StoreErrors", value: error === undefined ? 0 : 1, unit: "Count", dimensions },
  ];
}

/** The HTTP methods kept as they are in a dimension; any other is `_OTHER` (a client may send any token). */
const HTTP_METHODS = new Set(["GET", "POST", "DELETE", "HEAD", "OPTIONS", "PUT", "PATCH"]);

/** `method` as a dimension value: one of the usual methods, else `_OTHER`. */
export const httpMethodDimension = (method: string): string => (HTTP_METHODS.has(method) ? method : "_OTHER");

/**
 * `HttpRequests` (1) and `HttpDuration` of an HTTP request that became no MCP request, by
 * `HttpMethod` and `Status` (the response's status code as text): refusals before any MCP request
 * (401, 403, 404, 400), legacy GET and DELETE, POSTs of notifications or replies only.
 */
export function httpMetrics(end: HttpEnd): Metric[] {
  const dimensions = { HttpMethod: httpMethodDimension(end.request.method), Status: String(end.status) };
  return [
    { name: "HttpRequests", value: 1, unit: "Count", dimensions },
    { name: "HttpDuration", value: end.durationMs, unit: "Milliseconds", dimensions },
  ];
}

/** `StreamDuration` and `StreamBytes` of a long-lived stream, by `Stream` (`listen` | `get`) and `EndedBy`. */
export function streamMetrics(end: StreamEnd): Metric[] {
  const dimensions = { Stream: end.kind, EndedBy: end.endedBy };
  return [
    { name: "StreamDuration", value: end.durationMs, unit: "Milliseconds", dimensions },
    { name: "StreamBytes", value: end.bytes, unit: "Bytes", dimensions },
  ];
}

/**
 * Every metric handed to `onMetric` as it is measured (for StatsD, Prometheus, your own backend).
 * `Target` is there for targets that have answered a request, at most `maxTargets` (100) of them.
 */
export function metricHook(onMetric: (metric: Metric) => void, options: TargetOptions = {}): Instrument {
  const targetOf = targetDimension(options);
  const emit = (metrics: Metric[]) => {
    for (const m of metrics) {
      try {
        quietly(onMetric(m));
      } catch {
        // A failing hook (one that throws, or an async one that rejects) must not fail the request it measures.
      }
    }
  };
  return {
    request: (start) => ({ end: (end) => emit(requestMetrics(start, end, targetOf)) }),
    store: (operation) => ({ end: (ms, error) => emit(storeMetrics(operation, ms, error)) }),
    http: (end) => emit(httpMetrics(end)),
    stream: (end) => emit(streamMetrics(end)),
  };
}
