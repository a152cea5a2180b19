/**
 * `otelTraces(api)`: OpenTelemetry spans through the `@opentelemetry/api` you pass (this package
 * never imports it, so it costs nothing where it is absent). One SERVER span per MCP request, named
 * and attributed after the MCP semantic conventions, whose context the rest of the chain and the
 * method run in (your tools' spans nest under it); one CLIENT span per store call made inside a
 * span (with `ops.stores(…)`); one SERVER span per HTTP request that became no MCP request (a
 * refusal before one, a legacy GET or DELETE), its store calls under it. No OpenTelemetry failure
 * ever reaches the request.
 */
import type * as otel from "@opentelemetry/api";
import type { InputRequest } from "@portico/core";
import type {
  Instrument,
  RequestEnd,
  RequestObservation,
  RequestStart,
  StoreObservation,
} from "../instrument.ts";
import { redactText } from "../redact.ts";
import { failureOf, spanName, startAttributes } from "./traces-attributes.ts";
import { type OtelTraceApi, originOf } from "./traces-context.ts";
import { httpSpan } from "./traces-http.ts";
import { notePending, type PendingCall, takePending, withPending } from "./traces-pending.ts";

export type { OtelTraceApi } from "./traces-context.ts";

export interface OtelTracesOptions {
  /** The tracer spans are made with. Default: `api.trace.getTracer("@portico/observe")`. */
  tracer?: otel.Tracer;
  /** Name resource spans `resources/read {uri}` (default `false`: URIs are unbounded). */
  resourceUriInName?: boolean;
  /**
   * Add `gen_ai.tool.call.arguments` (the tool's arguments as JSON, credentials redacted) to
   * `tools/call` spans. Default `false`: they may hold personal data.
   */
  arguments?: boolean;
}

/** Runs `work`, swallowing what it throws: telemetry never fails the request it describes. */
function safely(work: () => void): void {
  try {
    work();
  } catch {
    // Nothing to do: a broken exporter or SDK must not break the server.
  }
}

/** Runs `next` inside `context`; if entering it fails, runs `next` as it is. */
function runIn<T>(api: OtelTraceApi, context: otel.Context, next: () => Promise<T>): Promise<T> {
  let entered = false;
  try {
    return api.context.with(context, () => {
      entered = true;
      return next();
    });
  } catch (error) {
    if (entered) throw error; // the request's own error
    return next();
  }
}

function endSpan(api: OtelTraceApi, span: otel.Span, end: RequestEnd): void {
  span.setAttribute("portico.outcome", end.ending.outcome);
  span.setAttribute("portico.streamed", end.streamed);
  const failure = failureOf(end.ending);
  if (failure !== undefined) {
    span.setAttribute("error.type", failure.type);
    if (failure.code !== undefined) span.setAttribute("rpc.response.status_code", failure.code);
    if (failure.exception !== undefined) span.recordException(failure.exception);
    const status: otel.SpanStatus = { code: api.SpanStatusCode.ERROR };
    if (failure.message !== undefined) status.message = failure.message;
    span.setStatus(status);
  }
  span.end();
}

export function otelTraces(api: OtelTraceApi, options: OtelTracesOptions = {}): Instrument {
  const tracer = options.tracer ?? api.trace.getTracer("@portico/observe");
  const resourceUriInName = options.resourceUriInName ?? false;
  const logArguments = options.arguments === true;

  const follow = ({ call, coldStart, redact }: RequestStart): RequestObservation => {
    // The arguments as the request line would show them: observe's redaction, its `redact` list too.
    const redactArguments = logArguments ? redact : undefined;
    const { parent, links } = originOf(api, call.ctx.headers, call.params._meta);
    // Store calls of this HTTP request before any span (a legacy session lookup): the span starts
    // with the first, and they become its children.
    const pending = takePending(api.context.active());
    const options: otel.SpanOptions = {
      kind: api.SpanKind.SERVER,
      attributes: startAttributes(call, { coldStart, redactArguments }),
      links,
    };
    if (pending.length > 0) options.startTime = (pending[0] as PendingCall).start;
    const span = tracer.startSpan(spanName(call, resourceUriInName), options, parent);
    let context: otel.Context;
    try {
      context = api.trace.setSpan(parent, span);
    } catch (error) {
      safely(() => span.end());
      throw error;
    }
    for (const p of pending) adopt(p, context);
    safely(() => call.wrapInputs((requests, next) => inputRound(context, requests, next)));
    let ended = false;
    const spanContext = span.spanContext();
    // Log lines and metric documents then name this span's trace (new when no parent was given).
    const fields = api.trace.isSpanContextValid(spanContext)
      ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
      : undefined;
    return {
      ...(fields === undefined ? {} : { fields }),
      run: (next) => runIn(api, context, next),
      end: (end) => {
        if (ended) return;
        ended = true;
        safely(() => endSpan(api, span, end));
      },
    };
  };

  /**
   * A server→client input round (`elicit()`, `sample()`, `listRoots()`, `inputs()`): a CLIENT span
   * per request in it, named by its method, under the request's span. A modern round whose answers
   * are not in hand ends `input_required` (the client answers with its retry), not as an error.
   */
  const inputRound = async (
    parent: otel.Context,
    requests: Readonly<Record<string, InputRequest>>,
    next: () => Promise<Record<string, unknown>>,
  ): Promise<Record<string, unknown>> => {
    const spans: otel.Span[] = [];
    safely(() => {
      for (const [key, request] of Object.entries(requests)) {
        const attributes = { "mcp.method.name": request.method, "portico.input.key": key };
        spans.push(tracer.startSpan(request.method, { kind: api.SpanKind.CLIENT, attributes }, parent));
      }
    });
    const finish = (outcome: "ok" | "input_required" | "error", error?: unknown) =>
      safely(() => {
        for (const span of spans) {
          span.setAttribute("portico.outcome", outcome);
          if (outcome === "error") {
            const status: otel.SpanStatus = { code: api.SpanStatusCode.ERROR };
            if (error instanceof Error) status.message = redactText(error.message);
            span.setAttribute("error.type", error instanceof Error ? error.name : "_OTHER");
            span.setStatus(status);
          }
          span.end();
        }
      });
    try {
      const answers = await next();
      finish("ok");
      return answers;
    } catch (error) {
      finish(
        error instanceof Error && error.name === "InputRequiredSignal" ? "input_required" : "error",
        error,
      );
      throw error;
    }
  };

  /** A CLIENT span for store call `operation` under `parent` (from `startTime` when it began earlier). */
  const storeSpan = (operation: string, parent: otel.Context, startTime?: number): otel.Span => {
    const options: otel.SpanOptions = {
      kind: api.SpanKind.CLIENT,
      attributes: { "portico.store.operation": operation },
    };
    if (startTime !== undefined) options.startTime = startTime;
    return tracer.startSpan(`portico.store ${operation}`, options, parent);
  };

  const endStoreSpan = (span: otel.Span, error: unknown, endTime?: number): void =>
    safely(() => {
      if (error !== undefined) {
        span.setAttribute("error.type", error instanceof Error ? error.name : "_OTHER");
        const status: otel.SpanStatus = { code: api.SpanStatusCode.ERROR };
        if (error instanceof Error) status.message = redactText(error.message);
        span.setStatus(status);
      }
      span.end(endTime);
    });

  /** A store call made before the request's span: its child now, with the call's own times. */
  const adopt = (call: PendingCall, parent: otel.Context): void =>
    safely(() => {
      const span = storeSpan(call.operation, parent, call.start);
      if (call.end !== undefined) endStoreSpan(span, call.error, call.end);
      else {
        const finish = (end: number, error: unknown) => endStoreSpan(span, error, end);
        call.adopted = finish;
      }
    });

  const storeCall = (operation: string): StoreObservation | undefined => {
    const active = api.context.active();
    // Outside any span: kept for the request's span when the handler's scope made a place for it
    // (a legacy session lookup), else nothing (start-up work: no orphan root spans).
    if (api.trace.getSpan(active) === undefined) return notePending(active, operation);
    const span = storeSpan(operation, active);
    return { end: (_durationMs, error) => endStoreSpan(span, error) };
  };

  /** The context each scope ran its request in, for the request's HTTP span. */
  const contexts = new WeakMap<Request, otel.Context>();
  /**
   * Runs an HTTP request in a context that keeps its store calls made outside any span. Only a
   * request naming a legacy session makes such calls (its lookup); the others run as they are.
   */
  const scope = (request: Request, run: () => Promise<Response>): Promise<Response> => {
    if (!request.headers.has("mcp-session-id")) return run();
    let context: otel.Context;
    try {
      context = withPending(api.context.active());
      contexts.set(request, context);
    } catch {
      return run();
    }
    return runIn(api, context, run);
  };

  return {
    scope,
    http: (end) => safely(() => httpSpan(api, tracer, end, contexts.get(end.request), adopt)),
    request: (start) => {
      try {
        return follow(start);
      } catch {
        return undefined; // not traced, still served
      }
    },
    store: (operation) => {
      try {
        return storeCall(operation);
      } catch {
        return undefined;
      }
    },
  };
}
