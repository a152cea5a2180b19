/** What every adapter's correlation test checks of the emitted lines, metric documents and spans. */
import { expect } from "vitest";
import { emfMetrics, type Instrument, type LogRecord } from "../src/index.ts";
import { observedServer, requestLines } from "./_server.ts";

/** A finished span, as the OpenTelemetry SDK's exporters see it (the fields checked here). */
export interface FinishedSpan {
  name: string;
  attributes: Record<string, unknown>;
  spanContext(): { traceId: string };
}

/** The observed test server (with `traces` when given), its log lines and its EMF documents. */
export function correlatedServer(traces?: Instrument) {
  const documents: string[] = [];
  const metrics = emfMetrics({ write: (doc) => documents.push(doc) });
  const observed = observedServer(traces === undefined ? { metrics } : { metrics, traces });
  return { ...observed, documents };
}

/**
 * The request line, the tool's line, the request's EMF document and (when given) its server span
 * all carry the host request id and the trace id.
 */
export function expectCorrelated(
  lines: LogRecord[],
  hostRequestId: string,
  traceId: string,
  documents?: string[],
  spans?: readonly FinishedSpan[],
): void {
  const [line] = requestLines(lines);
  expect(line).toMatchObject({ outcome: "ok", target: "add", hostRequestId, traceId });
  expect(lines.find((l) => l.msg === "adding")).toMatchObject({ hostRequestId, traceId });
  if (documents !== undefined) {
    const metrics = documents
      .map((d) => JSON.parse(d) as Record<string, unknown>)
      .find((d) => d.Target === "add");
    expect(metrics).toMatchObject({ Requests: 1, hostRequestId, traceId });
  }
  if (spans !== undefined) {
    const span = spans.find((s) => s.name === "tools/call add");
    expect(span?.attributes["portico.host_request_id"]).toBe(hostRequestId);
    expect(span?.spanContext().traceId).toBe(traceId);
  }
}
