/**
 * Metrics through an OpenTelemetry `Meter` you pass (`metrics.getMeter("calc")` of
 * `@opentelemetry/api`; this package never imports it): the MCP semantic conventions'
 * `mcp.server.operation.duration` histogram (seconds) with `mcp.method.name`, `gen_ai.tool.name` /
 * `gen_ai.prompt.name`, `mcp.protocol.version`, `error.type` and `rpc.response.status_code`; plus
 * `portico.cold_starts`, `portico.streamed_responses` and the `portico.store.operation.duration`
 * histogram (with `portico.store.operation`, `error.type` on failure); for HTTP requests that
 * became no MCP request, `portico.http.request.duration` (seconds, with `http.request.method`,
 * `http.response.status_code`, `error.type` for a 5xx); for long-lived streams,
 * `portico.stream.duration` (seconds) and `portico.stream.size` (bytes), with
 * `portico.stream.kind` (`listen` | `get`) and `portico.stream.ended_by` (`server` | `client`).
 */
import type { Instrument, RequestEnd, RequestStart } from "../instrument.ts";
import { httpMethodDimension } from "../metrics.ts";
import { errorType } from "../outcome.ts";
import { type TargetDimension, type TargetOptions, targetDimension } from "../targets.ts";

type Attributes = Record<string, string | number | boolean>;

/** What this needs of an OpenTelemetry `Meter` (structurally, so no import of the API). */
export interface MeterLike {
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(value: number, attributes?: Attributes): void };
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): {
    add(value: number, attributes?: Attributes): void;
  };
}

/** The conventions' advised buckets for MCP operation durations, in seconds. */
const BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];

function attributesOf(start: RequestStart, end: RequestEnd, targetOf: TargetDimension): Attributes {
  const { call } = start;
  const target = targetOf(start, end);
  const attributes: Attributes = {
    "mcp.method.name": call.method,
    "mcp.protocol.version": call.protocolVersion,
    "network.transport": "tcp",
    "network.protocol.name": "http",
  };
  if (call.method === "tools/call") attributes["gen_ai.operation.name"] = "execute_tool";
  if (target !== undefined) {
    if (call.method === "tools/call") attributes["gen_ai.tool.name"] = target;
    else if (call.method === "prompts/get") attributes["gen_ai.prompt.name"] = target;
  }
  const type = errorType(end.ending);
  if (type !== undefined) attributes["error.type"] = type;
  const code = (end.ending.fields.error as { code?: unknown } | undefined)?.code;
  if (typeof code === "number") attributes["rpc.response.status_code"] = String(code);
  return attributes;
}

/**
 * `gen_ai.tool.name` / `gen_ai.prompt.name` are there for targets that have answered a request, at
 * most `maxTargets` (100) of them: a name a client makes up never becomes a series.
 */
export function otelMetrics(meter: MeterLike, options: TargetOptions = {}): Instrument {
  const targetOf = targetDimension(options);
  const duration = meter.createHistogram("mcp.server.operation.duration", {
    description: "MCP request duration as observed on the server, from receipt until the result is ready",
    unit: "s",
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  const coldStarts = meter.createCounter("portico.cold_starts", {
    description: "MCP requests that were the first of their instance",
  });
  const streamed = meter.createCounter("portico.streamed_responses", {
    description: "MCP requests answered as an SSE stream",
  });
  const store = meter.createHistogram("portico.store.operation.duration", {
    description: "Duration of a session store, event store or bus call",
    unit: "s",
  });
  const http = meter.createHistogram("portico.http.request.duration", {
    description:
      "Duration of HTTP requests that carried no MCP request: refusals before one, legacy GET and DELETE, notifications only",
    unit: "s",
  });
  const streamDuration = meter.createHistogram("portico.stream.duration", {
    description: "How long a subscriptions/listen or legacy GET stream stayed open",
    unit: "s",
  });
  const streamSize = meter.createHistogram("portico.stream.size", {
    description: "Bytes a subscriptions/listen or legacy GET stream carried",
    unit: "By",
  });
  const safely = (work: () => void) => {
    try {
      work();
    } catch {
      // Metrics must never fail the request they measure.
    }
  };
  return {
    request: (start) => ({
      end: (end) =>
        safely(() => {
          const attributes = attributesOf(start, end, targetOf);
          duration.record(end.durationMs / 1000, attributes);
          if (start.coldStart) coldStarts.add(1, { "mcp.method.name": start.call.method });
          if (end.streamed) streamed.add(1, { "mcp.method.name": start.call.method });
        }),
    }),
    store: (operation) => ({
      end: (ms, error) =>
        safely(() => {
          const attributes: Attributes = { "portico.store.operation": operation };
          if (error !== undefined) attributes["error.type"] = error instanceof Error ? error.name : "_OTHER";
          store.record(ms / 1000, attributes);
        }),
    }),
    http: (end) =>
      safely(() => {
        const attributes: Attributes = {
          "http.request.method": httpMethodDimension(end.request.method),
          "http.response.status_code": end.status,
        };
        if (end.status >= 500) attributes["error.type"] = String(end.status);
        http.record(end.durationMs / 1000, attributes);
      }),
    stream: (end) =>
      safely(() => {
        const attributes = { "portico.stream.kind": end.kind, "portico.stream.ended_by": end.endedBy };
        streamDuration.record(end.durationMs / 1000, attributes);
        streamSize.record(end.bytes, attributes);
      }),
  };
}
