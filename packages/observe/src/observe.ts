/**
 * `observe(options)`: a middleware (`server.use(ops)`) that gives every MCP request a logger
 * carrying its correlation fields (`ctx.logger` in tools), writes one line when it ends and feeds
 * the instruments (metrics, traces); plus the `onError` for `createHandler` that writes what is never
 * sent to clients as structured lines, and `stores(…)` that lets instruments time store calls.
 */
import type { LogFields, McpCall, McpResult, Middleware, RequestScope, Stores } from "@portico/core";
import { roundMs } from "./clock.ts";
import { httpScope } from "./http-scope.ts";
import type { Instrument, RequestObservation, RequestStart } from "./instrument.ts";
import { checkLevel, environmentLevel, type LogLevelOption } from "./levels.ts";
import { StructuredLogger } from "./logger.ts";
import { type Ending, errorEnding, resultEnding } from "./outcome.ts";
import { quietly } from "./quietly.ts";
import { redactor } from "./redact.ts";
import { jsonLines, type LogSink } from "./sinks.ts";
import { observedStores } from "./stores.ts";
import { type TraceContext, traceContextOf } from "./trace-context.ts";
import { flushLines } from "./writer.ts";

export interface ObserveOptions {
  /**
   * `false` switches request observation off entirely: `server.use(ops)` then installs nothing (no
   * cost at all), `ctx.logger` is the core's default, and `ops.stores(s)` returns `s`. `onError`
   * still writes its lines: errors are never dropped. Default `true`.
   */
  enabled?: boolean;
  /** Written as `service` on every line (e.g. your function's name). */
  service?: string;
  /**
   * Lowest severity written: `debug`, `info`, `warn`, `error` or `silent`. Default: the process
   * environment's `LOG_LEVEL`, else Lambda's `AWS_LAMBDA_LOG_LEVEL`, else `info` (see `parseLevel`
   * for a Worker's binding). `undefined` (what `parseLevel` gives for an unset value) is the default.
   */
  level?: LogLevelOption | undefined;
  /** Where lines go. Default: `jsonLines()` — JSON lines on stdout, batched; `console` where there is no stdout. */
  sink?: LogSink;
  /**
   * More fields to redact, besides credentials (always redacted): a name (`"ssn"`, at any depth)
   * or a dotted path from the line's root (`"arguments.card.number"`).
   */
  redact?: readonly string[];
  /** One line per MCP request when it ends (default `true`, at info; errors at warn/error). */
  requests?: boolean;
  /** Add the request's arguments (redacted) to its line (default `false`: they may hold personal data). */
  arguments?: boolean;
  /** Metrics: `emfMetrics()` on Lambda, `metricHook(fn)`, `otelMetrics(meter)`. Default: none. */
  metrics?: Instrument;
  /** Traces: `otelTraces(api)`. Default: none. */
  traces?: Instrument;
  /** Any other instruments. */
  instruments?: readonly Instrument[];
}

/** The middleware, with the handler's `onError`, the root logger and the store wrapper. */
export interface Observer extends Middleware {
  /**
   * For `createHandler(server, { onError: ops.onError })`: errors never sent to clients, as lines —
   * with the request's correlation fields when the error happened in one.
   */
  readonly onError: (error: unknown, where: string, call?: McpCall) => void;
  /** The root logger (for code outside a request: start-up, background work). */
  readonly logger: StructuredLogger;
  /** `stores` whose every call the instruments time (`createHandler(server, { stores: ops.stores(s) })`). */
  stores(stores: Stores): Stores;
  /** `false` when switched off (`enabled: false`): `server.use()` then leaves it out. */
  readonly enabled: boolean;
}

/** Whether this process has served a request yet (the first one of an instance is its cold start). */
let served = false;

/** The correlation fields of a call (the core's), with the trace it came with. */
function correlation(call: McpCall, trace: TraceContext | undefined): LogFields {
  const fields = call.correlation();
  if (trace !== undefined) {
    fields.traceId = trace.traceId;
    if (trace.parentSpanId !== undefined) fields.parentSpanId = trace.parentSpanId;
  }
  return fields;
}

/** The `mcp request` line of a call that ended (with `args`, its arguments, when they are logged). */
function requestLine(
  logger: StructuredLogger,
  ending: Ending,
  durationMs: number,
  coldStart: boolean,
  streamed: boolean,
  args: unknown,
): void {
  const line: LogFields = {
    outcome: ending.outcome,
    durationMs: roundMs(durationMs),
    coldStart,
    ...ending.fields,
  };
  if (streamed) line.streamed = true;
  if (args !== undefined) line.arguments = args;
  logger[ending.severity]("mcp request", line);
}

export function observe(options: ObserveOptions = {}): Observer {
  const fromEnvironment = options.level === undefined ? environmentLevel() : undefined;
  const level = checkLevel(options.level ?? fromEnvironment?.level);
  const base: LogFields = options.service === undefined ? {} : { service: options.service };
  const redact = redactor(options.redact);
  const root = new StructuredLogger({ level, sink: options.sink ?? jsonLines(), redact }, base);
  const ignored = fromEnvironment?.ignored;
  if (ignored !== undefined) {
    root.warn(
      `${ignored.name} ${JSON.stringify(ignored.value)} is not a log level (debug, info, warn, error, silent): writing at info`,
      { code: "invalid_log_level" },
    );
  }
  const requests = options.requests ?? true;
  const instruments = [options.metrics, options.traces, ...(options.instruments ?? [])].filter(
    (i): i is Instrument => i !== undefined,
  );
  const following = instruments.filter((i) => i.request !== undefined);
  const enabled = options.enabled ?? true;
  // An HTTP request that became no MCP request (refused before one, a GET or DELETE, notifications
  // or replies only) gets a line of its own (with the request lines) and goes to the instruments that
  // hear of such requests or of long-lived streams' ends: from the handler's scope.
  const httpLines = enabled && requests && level !== "silent";
  const httpInstruments = enabled
    ? instruments.filter((i) => i.http !== undefined || i.stream !== undefined)
    : [];
  // The scope also holds each request open (its host's `waitUntil`) until its batched lines are
  // written: there whenever lines below warn can be written (warn and error lines leave at once).
  const batchedLines = enabled && (level === "debug" || level === "info");
  const httpScoped = httpLines || httpInstruments.length > 0 || batchedLines;
  /** The headers of HTTP requests an MCP request covers (the same object the scope sees). */
  const handled = new WeakSet<Headers>();
  // Everything off: tools' lines are dropped too, and a request costs one assignment.
  const off = level === "silent" && following.length === 0;

  const middleware = async (call: McpCall, next: () => Promise<McpResult>) => {
    // This HTTP request became an MCP request: the scope reports no HTTP request for it.
    if (httpScoped) handled.add(call.ctx.headers);
    if (off) {
      served = true;
      call.logger = root;
      return next();
    }
    const coldStart = !served;
    served = true;
    const trace = traceContextOf(call.ctx.headers, call.params._meta as Record<string, unknown> | undefined);
    const fields = correlation(call, trace);
    if (!requests && following.length === 0) {
      call.logger = root.child(fields);
      return next();
    }
    const observations: RequestObservation[] = [];
    if (following.length > 0) {
      const start: RequestStart = { call, trace, coldStart, fields, redact };
      for (const instrument of following) {
        const o = instrument.request?.(start);
        if (o === undefined) continue;
        observations.push(o);
        // A tracer's own span ids: lines then name the span the request really ran in.
        if (o.fields !== undefined) Object.assign(fields, o.fields);
      }
    }
    // At `silent` no line is ever written: the root logger serves (no fields to copy and redact).
    const logger = level === "silent" ? root : root.child(fields);
    call.logger = logger;
    let run = next;
    for (const o of observations) {
      if (o.run === undefined) continue;
      const inner = run;
      run = () => (o.run as NonNullable<typeof o.run>)(inner);
    }
    const started = performance.now();
    const finish = (ending: Ending, result: McpResult | undefined) => {
      const durationMs = performance.now() - started;
      const end = { ending, durationMs, streamed: call.streamed, result };
      for (const o of observations) quietly(o.end(end));
      if (requests && logger.enabled(ending.severity)) {
        requestLine(
          logger,
          ending,
          durationMs,
          coldStart,
          end.streamed,
          options.arguments === true ? call.params.arguments : undefined,
        );
      }
      // A streamed answer's last event (the result) follows at once, and the host may end the
      // invocation with it: this request's lines and documents leave first.
      if (end.streamed) flushLines();
    };
    try {
      const result = await run();
      finish(resultEnding(result), result);
      return result;
    } catch (error) {
      finish(errorEnding(error, call.aborted), undefined);
      throw error;
    }
  };

  const onError = (error: unknown, where: string, call?: McpCall) => {
    // The call's logger carries its correlation fields once this middleware has run for it.
    const logger = call?.logger instanceof StructuredLogger ? call.logger : root;
    const code = (error as { code?: unknown } | null)?.code;
    const notice = error instanceof Error && error.name === "PorticoError" && typeof code === "string";
    // A Portico notice is a configuration or usage problem: one line with its code, no stack.
    if (notice) logger.warn(error.message, { where, code });
    else logger.error("unhandled error", { where, error });
  };

  const stores = (given: Stores) => (enabled ? observedStores(given, instruments) : given);
  const observer = Object.assign(middleware, { onError, logger: root, stores, enabled });
  const scopes: RequestScope[] = [];
  if (httpScoped)
    scopes.push(httpScope({ logger: httpLines ? root : undefined, instruments: httpInstruments, handled }));
  for (const i of instruments) if (enabled && i.scope !== undefined) scopes.push(i.scope.bind(i));
  // Only when there is one: otherwise the handler runs no scope at all.
  if (scopes.length === 0) return observer;
  if (scopes.length === 1) return Object.assign(observer, { scope: scopes[0] as RequestScope });
  const scope: RequestScope = (request, run, host) => {
    let inner = run;
    for (let i = scopes.length - 1; i >= 0; i--) {
      const outer = scopes[i] as RequestScope;
      const next = inner;
      inner = () => outer(request, next, host);
    }
    return inner();
  };
  return Object.assign(observer, { scope });
}
