/**
 * The metrics of an MCP request and of a store call, as plain records: what `metricHook(fn)`
 * hands you, what `emfMetrics()` writes as CloudWatch Embedded Metric Format, and what
 * `otelMetrics(meter)` records (there under the OpenTelemetry MCP names).
 */
import type { Instrument, RequestEnd, RequestStart } from "./instrument.ts";
import { errorType } from "./outcome.ts";
import { quietly } from "./quietly.ts";
import { type TargetDimension, type TargetOptions, targetDimension } from "./targets.ts";

export type MetricUnit = "Count" | "Milliseconds";

/** One measurement. Dimensions are low-cardinality: method, target (tool/prompt name or resource URI), outcome. */
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
  };
}
