/**
 * Where an MCP request's server span joins a trace. Its parent: the context in the request's
 * `_meta` (MCP's place for `traceparent`, `tracestate` and `baggage`, read through the configured
 * propagator), else the HTTP request's — the span a host instrumentation made for it, else its
 * `traceparent`/`tracestate` headers — else a sampled AWS X-Ray trace (`X-Amzn-Trace-Id`, Lambda's
 * `_X_AMZN_TRACE_ID`). The HTTP and X-Ray contexts that are not the parent become links.
 */
import type * as otel from "@opentelemetry/api";
import { parseXRay } from "../trace-context.ts";

/** What this package uses of `@opentelemetry/api` (pass `import * as api from "@opentelemetry/api"`). */
export type OtelTraceApi = Pick<
  typeof otel,
  "context" | "propagation" | "trace" | "SpanKind" | "SpanStatusCode" | "TraceFlags"
>;

/** The parent context of a server span and the spans it links to. */
export interface Origin {
  readonly parent: otel.Context;
  readonly links: otel.Link[];
}

/** Reads `_meta` as a carrier: its string values under their own (unprefixed) keys. */
const metaGetter: otel.TextMapGetter<Record<string, unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = Object.hasOwn(carrier, key) ? carrier[key] : undefined;
    return typeof value === "string" ? value : undefined;
  },
};

/** Reads the HTTP request's headers as a carrier. */
const headerGetter: otel.TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
/** Read once: only the Lambda runtime sets `_X_AMZN_TRACE_ID`, and reading `process.env` is slow. */
const onLambda = env?.AWS_LAMBDA_FUNCTION_NAME !== undefined;

/** The X-Ray header: the request's, else (only on Lambda) the runtime's per-invocation variable. */
function xrayOf(api: OtelTraceApi, headers: Headers): otel.SpanContext | undefined {
  const xray =
    parseXRay(headers.get("x-amzn-trace-id")) ?? (onLambda ? parseXRay(env?._X_AMZN_TRACE_ID) : undefined);
  // Without `Parent` there is no span to point at.
  if (xray?.parentSpanId === undefined) return undefined;
  return {
    traceId: xray.traceId,
    spanId: xray.parentSpanId,
    traceFlags: xray.sampled === true ? api.TraceFlags.SAMPLED : api.TraceFlags.NONE,
    isRemote: true,
  };
}

const same = (a: otel.SpanContext, b: otel.SpanContext) => a.traceId === b.traceId && a.spanId === b.spanId;

/** The valid span context a context carries, if any. */
function spanContextIn(api: OtelTraceApi, context: otel.Context): otel.SpanContext | undefined {
  const span = api.trace.getSpanContext(context);
  return span !== undefined && api.trace.isSpanContextValid(span) ? span : undefined;
}

/** The parent of the server span of a request with these headers and `_meta`, and its links. */
export function originOf(api: OtelTraceApi, headers: Headers, meta: unknown): Origin {
  const ambient = api.context.active();
  // The HTTP request's context: a span already made for it (host instrumentation), else its headers.
  const fromHost = spanContextIn(api, ambient) !== undefined;
  const http = fromHost ? ambient : api.propagation.extract(ambient, headers, headerGetter);
  const httpSpan = spanContextIn(api, http);
  // `_meta` over the HTTP context: its traceparent replaces the span, its baggage the baggage.
  let parent =
    typeof meta === "object" && meta !== null && !Array.isArray(meta)
      ? api.propagation.extract(http, meta as Record<string, unknown>, metaGetter)
      : http;
  const parentSpan = spanContextIn(api, parent);
  const links: otel.Link[] = [];
  if (httpSpan !== undefined && parentSpan !== undefined && !same(httpSpan, parentSpan)) {
    links.push({
      context: httpSpan,
      attributes: { "portico.link.source": fromHost ? "host" : "traceparent" },
    });
  }
  const xray = xrayOf(api, headers);
  if (xray !== undefined) {
    if (parentSpan === undefined && xray.traceFlags === api.TraceFlags.SAMPLED) {
      // A sampled X-Ray trace (active tracing) is the parent when nothing else gives one.
      parent = api.trace.setSpanContext(parent, xray);
    } else if (
      !(parentSpan !== undefined && same(parentSpan, xray)) &&
      !links.some((l) => same(l.context, xray))
    ) {
      // Lambda passes an unsampled header on every invocation when tracing is off: as a parent it
      // would have parent-based samplers drop the span, so it is only a link.
      links.push({ context: xray, attributes: { "portico.link.source": "x-ray" } });
    }
  }
  return { parent, links };
}
