/** What every adapter's correlation test checks of the emitted lines and metric documents. */
import { expect } from "vitest";
import { emfMetrics, type LogRecord } from "../src/index.ts";
import { observedServer, requestLines } from "./_server.ts";

/** The observed test server, its log lines and the EMF documents its metrics write. */
export function correlatedServer() {
  const documents: string[] = [];
  const observed = observedServer({ metrics: emfMetrics({ write: (doc) => documents.push(doc) }) });
  return { ...observed, documents };
}

/**
 * The request line, the tool's line and the request's EMF document all carry `hostRequestId` and
 * `traceId`.
 */
export function expectCorrelated(
  lines: LogRecord[],
  hostRequestId: string,
  traceId: string,
  documents?: string[],
): void {
  const [line] = requestLines(lines);
  expect(line).toMatchObject({ outcome: "ok", target: "add", hostRequestId, traceId });
  expect(lines.find((l) => l.msg === "adding")).toMatchObject({ hostRequestId, traceId });
  if (documents === undefined) return;
  const metrics = documents
    .map((d) => JSON.parse(d) as Record<string, unknown>)
    .find((d) => d.Target === "add");
  expect(metrics).toMatchObject({ Requests: 1, hostRequestId, traceId });
}
