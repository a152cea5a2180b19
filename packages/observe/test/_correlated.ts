/**
 * What every adapter's correlation test checks of the emitted lines, metric documents and spans: of
 * an MCP request, and of an HTTP request that became none (a DELETE without a session).
 */
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

/** A DELETE naming no session: an HTTP request that becomes no MCP request. */
export function deleteRequest(headers: Record<string, string>, url = "http://127.0.0.1:3000/mcp"): Request {
  return new Request(url, { method: "DELETE", headers });
}

/** The DELETE's `http request` line, its EMF document and (when given) its HTTP span carry both ids. */
export function expectHttpCorrelated(
  lines: LogRecord[],
  hostRequestId: string,
  traceId: string,
  documents: string[],
  spans?: readonly FinishedSpan[],
): void {
  const line = lines.find((l) => l.msg === "http request");
  expect(line).toMatchObject({ httpMethod: "DELETE", hostRequestId, traceId, status: expect.any(Number) });
  const doc = documents.map((d) => JSON.parse(d) as Record<string, unknown>).find((d) => "HttpRequests" in d);
  expect(doc).toMatchObject({ HttpMethod: "DELETE", Status: String(line?.status), hostRequestId, traceId });
  if (spans !== undefined) {
    const span = spans.find((s) => s.attributes["http.request.method"] === "DELETE");
    expect(span?.name).toBe("DELETE");
    expect(span?.attributes["portico.host_request_id"]).toBe(hostRequestId);
    expect(span?.spanContext().traceId).toBe(traceId);
  }
}
