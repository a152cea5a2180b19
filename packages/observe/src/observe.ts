/**
 * `observe(options)`: a middleware (`server.use(ops)`) that gives every MCP request a logger
 * carrying its correlation fields (`ctx.logger` in tools) and writes one line when it ends, plus the
 * `onError` for `createHandler` that writes what is never sent to clients as structured lines.
 */
import type { LogFields, McpCall, Middleware } from "@portico/core";
import { checkLevel, type LogLevelOption } from "./levels.ts";
import { StructuredLogger } from "./logger.ts";
import { errorEnding, resultEnding } from "./outcome.ts";
import { redactor } from "./redact.ts";
import { jsonConsole, type LogSink } from "./sinks.ts";
import { traceContextOf } from "./trace-context.ts";

export interface ObserveOptions {
  /** Written as `service` on every line (e.g. your function's name). */
  service?: string;
  /** Lowest severity written: `debug`, `info` (default), `warn`, `error` or `silent`. */
  level?: LogLevelOption;
  /** Where lines go. Default: one JSON line per record through `console` (`jsonConsole()`). */
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
}

/** The middleware, with the handler's `onError` and the root logger. */
export interface Observer extends Middleware {
  /**
   * For `createHandler(server, { onError: ops.onError })`: errors never sent to clients, as lines —
   * with the request's correlation fields when the error happened in one.
   */
  readonly onError: (error: unknown, where: string, call?: McpCall) => void;
  /** The root logger (for code outside a request: start-up, background work). */
  readonly logger: StructuredLogger;
}

/** Whether this process has served a request yet (the first one of an instance is its cold start). */
let served = false;

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The correlation fields of a call, absent ones left out. */
function correlation(call: McpCall): LogFields {
  const fields: LogFields = {
    method: call.method,
    era: call.era,
    protocolVersion: call.protocolVersion,
    jsonrpcId: call.requestId,
  };
  if (call.target !== undefined) fields.target = call.target;
  if (call.sessionId !== undefined) fields.sessionId = call.sessionId;
  if (call.hostRequestId !== undefined) fields.hostRequestId = call.hostRequestId;
  const trace = traceContextOf(call.ctx.headers, call.params._meta as Record<string, unknown> | undefined);
  if (trace !== undefined) {
    fields.traceId = trace.traceId;
    if (trace.parentSpanId !== undefined) fields.parentSpanId = trace.parentSpanId;
  }
  return fields;
}

export function observe(options: ObserveOptions = {}): Observer {
  const level = checkLevel(options.level ?? "info");
  const base: LogFields = options.service === undefined ? {} : { service: options.service };
  const root = new StructuredLogger(
    { level, sink: options.sink ?? jsonConsole(), redact: redactor(options.redact) },
    base,
  );
  const requests = options.requests ?? true;

  const middleware = async (call: McpCall, next: () => Promise<Record<string, unknown>>) => {
    const coldStart = !served;
    served = true;
    const logger = root.child(correlation(call));
    call.logger = logger;
    if (!requests) return next();
    const started = performance.now();
    const line = (ending: ReturnType<typeof resultEnding>) => {
      if (!logger.enabled(ending.severity)) return;
      const fields: LogFields = {
        outcome: ending.outcome,
        durationMs: round(performance.now() - started),
        coldStart,
        ...ending.fields,
      };
      if (options.arguments === true && call.params.arguments !== undefined)
        fields.arguments = call.params.arguments;
      logger[ending.severity]("mcp request", fields);
    };
    try {
      const result = await next();
      line(resultEnding(result));
      return result;
    } catch (error) {
      line(errorEnding(error));
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

  return Object.assign(middleware, { onError, logger: root });
}
