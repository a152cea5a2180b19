/**
 * The SERVER span of an HTTP request that became no MCP request — refused before one, a legacy GET
 * (a stream opened or resumed) or DELETE, a POST of notifications or replies only — made when its
 * response is, after the HTTP semantic conventions: named by its method (`GET`), with
 * `http.request.method` and `http.response.status_code`, an error only for a 5xx. Store calls it
 * made outside any span (a session lookup, a replay, the session's deletion) become its children.
 */
import type * as otel from "@opentelemetry/api";
import type { HttpEnd } from "../instrument.ts";
import { httpMethodDimension } from "../metrics.ts";
import { type OtelTraceApi, originOf } from "./traces-context.ts";
import { epochMs, type PendingCall, takePending } from "./traces-pending.ts";

/**
 * Starts and ends the span of `end`; `context` is the one its scope ran it in (holding its pending
 * store calls), `adopt` makes each of them a child of the span.
 */
export function httpSpan(
  api: OtelTraceApi,
  tracer: otel.Tracer,
  end: HttpEnd,
  context: otel.Context | undefined,
  adopt: (call: PendingCall, parent: otel.Context) => void,
): void {
  const { request, status, fields } = end;
  const { parent, links } = originOf(api, request.headers, undefined);
  const pending = context === undefined ? [] : takePending(context);
  const ended = epochMs();
  let startTime = ended - end.durationMs;
  const first = pending[0];
  if (first !== undefined && first.start < startTime) startTime = first.start;
  const method = httpMethodDimension(request.method);
  const attributes: otel.Attributes = {
    "http.request.method": method,
    "http.response.status_code": status,
    "network.protocol.name": "http",
  };
  if (method === "_OTHER") attributes["http.request.method_original"] = request.method.slice(0, 200);
  if (typeof fields.method === "string") attributes["mcp.method.name"] = fields.method;
  if (typeof fields.sessionId === "string") attributes["mcp.session.id"] = fields.sessionId;
  if (typeof fields.hostRequestId === "string") attributes["portico.host_request_id"] = fields.hostRequestId;
  if (end.streamed) attributes["portico.streamed"] = true;
  const name = method === "_OTHER" ? "HTTP" : method;
  const span = tracer.startSpan(name, { kind: api.SpanKind.SERVER, attributes, links, startTime }, parent);
  try {
    const spanContext = api.trace.setSpan(parent, span);
    for (const call of pending) adopt(call, spanContext);
    if (status >= 500) {
      span.setAttribute("error.type", String(status));
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    }
  } finally {
    span.end(ended);
  }
}
