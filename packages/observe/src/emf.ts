/**
 * Metrics as CloudWatch Embedded Metric Format: JSON log lines CloudWatch Logs turns into metrics
 * with no agent and no API call (the Lambda way). Each MCP request writes one document when it
 * ends — `Requests`, `Duration` (ms), `Errors`, `ToolErrors`, `InputRequired`, `Cancelled`,
 * `Streamed`, `ColdStarts` by `Method` (and by `Method` + `Target`), `Errors` by `ErrorType` when it
 * failed — and, in the same write, one document per store operation timed since the last one
 * (`StoreLatency` values, `StoreErrors`, by `Operation`). An HTTP request that became no MCP
 * request (a refusal before one, a legacy GET or DELETE, notifications only) writes `HttpRequests`
 * and `HttpDuration` by `Status` (and `HttpMethod` + `Status`), with the store documents of its
 * calls; a long-lived stream, when it ends, `StreamDuration` and `StreamBytes` by `Stream` (and
 * `Stream` + `EndedBy`). `hostRequestId`, `traceId` and `sessionId` ride along as plain fields
 * (searchable in Logs Insights, not dimensions).
 *
 * Written to stdout (the same batching writer as the default log lines: one write per event-loop
 * turn) — not `console.log`, whose Lambda formatting (a timestamp and request id prefix, or a JSON
 * wrapper) stops CloudWatch from reading the document — else, without stdout, through `console.log`.
 */
import type { Instrument } from "./instrument.ts";
import { httpMethodDimension, requestCounts } from "./metrics.ts";
import { errorType } from "./outcome.ts";
import { quietly } from "./quietly.ts";
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

/** The request's ids, written as plain fields (searchable, not dimensions). */
const CORRELATION_FIELDS = ["hostRequestId", "traceId", "sessionId"] as const;

/** Store operations whose document heads are kept (Portico's stores have about a dozen). */
const MAX_CACHED_OPERATIONS = 64;

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

const HTTP_DIMENSIONS = [["Status"], ["HttpMethod", "Status"]];
const HTTP_METRICS = [
  ["HttpRequests", "Count"],
  ["HttpDuration", "Milliseconds"],
] as const;
const STREAM_DIMENSIONS = [["Stream"], ["Stream", "EndedBy"]];
const STREAM_METRICS = [
  ["StreamDuration", "Milliseconds"],
  ["StreamBytes", "Bytes"],
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
  /** `root()`'s fields as JSON text, each followed by a comma. */
  const rootFields = service === undefined ? "" : `${JSON.stringify(root()).slice(1, -1)},`;
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

  /** The JSON text after `"CloudWatchMetrics":` of a store document, up to its values, by operation. */
  const storeHeads = new Map<string, string>();
  const storeHead = (operation: string): string => {
    let head = storeHeads.get(operation);
    if (head === undefined) {
      const directives = JSON.stringify([
        {
          Namespace: namespace,
          Dimensions: [withService(["Operation"])],
          Metrics: [
            { Name: "StoreLatency", Unit: "Milliseconds" },
            { Name: "StoreErrors", Unit: "Count" },
          ],
        },
      ]);
      // The same fields, in the same order, as `{ _aws, ...root(), Operation }` written whole.
      const fields = JSON.stringify({ ...root(), Operation: operation }).slice(1, -1);
      head = `${directives}},${fields}`;
      if (storeHeads.size < MAX_CACHED_OPERATIONS) storeHeads.set(operation, head);
    }
    return head;
  };

  /** One document per operation timed since the last call (per 100 values), as JSON text. */
  const storeDocuments = (): string[] => {
    const docs: string[] = [];
    for (const [operation, calls] of pending) {
      const head = storeHead(operation);
      for (let i = 0; i < calls.length; i += MAX_VALUES) {
        let latency = "";
        let errors = "";
        for (let j = i; j < calls.length && j < i + MAX_VALUES; j++) {
          const call = calls[j] as StoreCall;
          const sep = j === i ? "" : ",";
          latency += `${sep}${JSON.stringify(Math.round(call.ms * 1000) / 1000)}`;
          errors += call.failed ? `${sep}1` : `${sep}0`;
        }
        docs.push(
          `{"_aws":{"Timestamp":${Date.now()},"CloudWatchMetrics":${head},"StoreLatency":[${latency}],"StoreErrors":[${errors}]}`,
        );
      }
    }
    pending.clear();
    return docs;
  };

  /** One directive: its dimension sets (each with `Service` when there is one) and metrics. */
  const directive = (dimensions: readonly string[][], metrics: readonly (readonly [string, string])[]) => [
    {
      Namespace: namespace,
      Dimensions: dimensions.map(withService),
      Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
    },
  ];
  /** The `CloudWatchMetrics` of an HTTP request's document and of a stream's (made once each). */
  let httpDirectives: unknown;
  let streamDirectives: unknown;
  /** A document with `fields` (dimensions, values) and the correlation ids of `ids`. */
  const document = (
    directives: unknown,
    fields: Record<string, unknown>,
    ids: Readonly<Record<string, unknown>>,
  ) => {
    const doc: Record<string, unknown> = {
      _aws: { Timestamp: Date.now(), CloudWatchMetrics: directives },
      ...root(),
    };
    for (const key in fields) doc[key] = fields[key];
    for (const key of CORRELATION_FIELDS) if (typeof ids[key] === "string") doc[key] = ids[key];
    return JSON.stringify(doc);
  };

  const emit = (docs: string[]) => {
    for (const doc of docs) {
      try {
        quietly(write(doc));
      } catch {
        // Metrics must never fail the request they measure.
      }
    }
  };

  return {
    request: (start) => ({
      end: (end) => {
        const { call } = start;
        const earned = targetOf(start, end);
        const target = earned !== undefined && dimensionValue(earned) ? earned : undefined;
        const { outcome } = end.ending;
        const type = outcome === "error" ? errorType(end.ending) : undefined;
        const directives = directivesFor(target !== undefined, type !== undefined);
        // Written as text in the order `{ _aws, ...root(), Method, Target?, ErrorType?, ids…, counts…,
        // Duration }` would be: the metadata is the same for every request of a shape (only the
        // timestamp is new), and the rest is a few known fields.
        let text = `{"_aws":{"Timestamp":${Date.now()},"CloudWatchMetrics":${directives}},${rootFields}"Method":${JSON.stringify(call.method)}`;
        if (target !== undefined) text += `,"Target":${JSON.stringify(target)}`;
        if (type !== undefined)
          text += `,"ErrorType":${JSON.stringify(dimensionValue(type) ? type : "_OTHER")}`;
        for (const key of CORRELATION_FIELDS) {
          const value = start.fields[key];
          const json = value === undefined ? undefined : JSON.stringify(value);
          if (json !== undefined) text += `,"${key}":${json}`;
        }
        const counts = requestCounts(start, end);
        for (const name in counts) text += `,"${name}":${counts[name]}`;
        text += `,"Duration":${JSON.stringify(Math.round(end.durationMs * 1000) / 1000)}}`;
        emit([text]);
        if (pending.size > 0) emit(storeDocuments());
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
    http: (end) => {
      httpDirectives ??= directive(HTTP_DIMENSIONS, HTTP_METRICS);
      const fields = {
        HttpMethod: httpMethodDimension(end.request.method),
        Status: String(end.status),
        HttpRequests: 1,
        HttpDuration: Math.round(end.durationMs * 1000) / 1000,
      };
      emit([document(httpDirectives, fields, end.fields)]);
      if (pending.size > 0) emit(storeDocuments());
    },
    stream: (end) => {
      streamDirectives ??= directive(STREAM_DIMENSIONS, STREAM_METRICS);
      const fields = {
        Stream: end.kind,
        EndedBy: end.endedBy,
        StreamDuration: Math.round(end.durationMs * 1000) / 1000,
        StreamBytes: end.bytes,
      };
      emit([document(streamDirectives, fields, end.fields)]);
    },
    flush: () => emit(storeDocuments()),
  };
}
