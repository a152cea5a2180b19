/**
 * Metrics as CloudWatch Embedded Metric Format: JSON log lines CloudWatch Logs turns into metrics
 * with no agent and no API call (the Lambda way). Each MCP request writes one document when it
 * ends — `Requests`, `Duration` (ms), `Errors`, `ToolErrors`, `InputRequired`, `Cancelled`,
 * `Streamed`, `ColdStarts` by `Method` (and by `Method` + `Target`), `Errors` by `ErrorType` when it
 * failed — and, in the same write, one document per store operation timed since the last one
 * (`StoreLatency` values, `StoreErrors`, by `Operation`). `hostRequestId`, `traceId` and
 * `sessionId` ride along as plain fields (searchable in Logs Insights, not dimensions).
 *
 * Written to stdout (the same batching writer as the default log lines: one write per event-loop
 * turn) — not `console.log`, whose Lambda formatting (a timestamp and request id prefix, or a JSON
 * wrapper) stops CloudWatch from reading the document — else, without stdout, through `console.log`.
 */
import type { Instrument } from "./instrument.ts";
import { requestCounts } from "./metrics.ts";
import { errorType } from "./outcome.ts";
import { type TargetOptions, targetDimension } from "./targets.ts";
import { stdoutWriter } from "./writer.ts";

export interface EmfOptions extends TargetOptions {
  /** CloudWatch namespace. Default `"Portico"`. */
  namespace?: string;
  /** A `Service` dimension on every metric (e.g. your function's name). Default: none. */
  service?: string;
  /** Where each document goes, as one line (without `\n`). Default: `stdoutWriter()`, else `console.log`. */
  write?: (line: string) => void;
}

/** Most values one metric may carry in one document (CloudWatch's limit). */
export const MAX_VALUES = 100;

/**
 * Whether CloudWatch takes `value` as a dimension value: 1 to 1024 ASCII characters, no control
 * characters, not all spaces. A target is whatever name or URI the client sent; one that is not
 * would have CloudWatch reject the document's metrics, so it is left out.
 */
function dimensionValue(value: string): boolean {
  if (value.length === 0 || value.length > 1024) return false;
  let visible = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
    if (c !== 0x20) visible = true;
  }
  return visible;
}

interface StoreCall {
  ms: number;
  failed: boolean;
}

const REQUEST_METRICS = [
  ["Requests", "Count"],
  ["Duration", "Milliseconds"],
  ["Errors", "Count"],
  ["ToolErrors", "Count"],
  ["InputRequired", "Count"],
  ["Cancelled", "Count"],
  ["Streamed", "Count"],
  ["ColdStarts", "Count"],
] as const;

export interface EmfInstrument extends Instrument {
  /** Writes the store metrics gathered since the last request ended (e.g. before the process ends). */
  flush(): void;
}

export function emfMetrics(options: EmfOptions = {}): EmfInstrument {
  const namespace = options.namespace ?? "Portico";
  const write = options.write ?? stdoutWriter() ?? ((line: string) => console.log(line));
  const service = options.service;
  const targetOf = targetDimension(options);
  const withService = (keys: string[]) => (service === undefined ? keys : ["Service", ...keys]);
  const root = (): Record<string, unknown> => (service === undefined ? {} : { Service: service });
  const pending = new Map<string, StoreCall[]>();
  /** The `CloudWatchMetrics` JSON of a request document, by whether it has a target and an error. */
  const directiveCache = new Map<string, string>();
  const directivesFor = (target: boolean, failed: boolean): string => {
    const key = `${target}/${failed}`;
    let json = directiveCache.get(key);
    if (json === undefined) {
      const sets = [withService(["Method"])];
      if (target) sets.push(withService(["Method", "Target"]));
      const directives: Record<string, unknown>[] = [
        {
          Namespace: namespace,
          Dimensions: sets,
          Metrics: REQUEST_METRICS.map(([Name, Unit]) => ({ Name, Unit })),
        },
      ];
      if (failed) {
        directives.push({
          Namespace: namespace,
          Dimensions: [withService(["ErrorType"]), withService(["Method", "ErrorType"])],
          Metrics: [{ Name: "Errors", Unit: "Count" }],
        });
      }
      json = JSON.stringify(directives);
      directiveCache.set(key, json);
    }
    return json;
  };

  const storeDocuments = (): string[] => {
    const docs: string[] = [];
    for (const [operation, calls] of pending) {
      for (let i = 0; i < calls.length; i += MAX_VALUES) {
        const chunk = calls.slice(i, i + MAX_VALUES);
        docs.push(
          JSON.stringify({
            _aws: {
              Timestamp: Date.now(),
              CloudWatchMetrics: [
                {
                  Namespace: namespace,
                  Dimensions: [withService(["Operation"])],
                  Metrics: [
                    { Name: "StoreLatency", Unit: "Milliseconds" },
                    { Name: "StoreErrors", Unit: "Count" },
                  ],
                },
              ],
            },
            ...root(),
            Operation: operation,
            StoreLatency: chunk.map((c) => Math.round(c.ms * 1000) / 1000),
            StoreErrors: chunk.map((c) => (c.failed ? 1 : 0)),
          }),
        );
      }
    }
    pending.clear();
    return docs;
  };

  const emit = (docs: string[]) => {
    for (const doc of docs) {
      try {
        write(doc);
      } catch {
        // Metrics must never fail the request they measure.
      }
    }
  };

  return {
    request: (start) => ({
      end: (end) => {
        const { call } = start;
        const doc: Record<string, unknown> = { ...root(), Method: call.method };
        const earned = targetOf(start, end);
        const target = earned !== undefined && dimensionValue(earned) ? earned : undefined;
        if (target !== undefined) doc.Target = target;
        const { outcome } = end.ending;
        const values = requestCounts(start, end);
        values.Duration = Math.round(end.durationMs * 1000) / 1000;
        const type = outcome === "error" ? errorType(end.ending) : undefined;
        if (type !== undefined) doc.ErrorType = dimensionValue(type) ? type : "_OTHER";
        for (const key of ["hostRequestId", "traceId", "sessionId"]) {
          const value = start.fields[key];
          if (value !== undefined) doc[key] = value;
        }
        const directives = directivesFor(target !== undefined, type !== undefined);
        // The metadata is the same for every request of a shape: only the timestamp is new.
        Object.assign(doc, values);
        const body = JSON.stringify(doc).slice(1);
        const text = `{"_aws":{"Timestamp":${Date.now()},"CloudWatchMetrics":${directives}},${body}`;
        emit([text, ...storeDocuments()]);
      },
    }),
    store: (operation) => ({
      end: (ms, error) => {
        let calls = pending.get(operation);
        if (calls === undefined) {
          calls = [];
          pending.set(operation, calls);
        }
        calls.push({ ms, failed: error !== undefined });
        // Bounded: a full chunk is written at once rather than held for the next request.
        if (calls.length >= MAX_VALUES) emit(storeDocuments());
      },
    }),
    flush: () => emit(storeDocuments()),
  };
}
