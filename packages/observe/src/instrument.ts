/**
 * What `observe()` feeds besides its logs: an instrument (metrics, traces) hears every MCP request
 * start and end, and every store call when the stores are wrapped with `ops.stores(…)`. The
 * package's own instruments are built on this contract; you can write one too.
 */
import type { LogFields, McpCall, McpResult } from "@portico/core";
import type { Ending } from "./outcome.ts";
import type { TraceContext } from "./trace-context.ts";

/** A request entering the middleware chain. */
export interface RequestStart {
  readonly call: McpCall;
  /** The caller's trace, read from `_meta.traceparent`, `traceparent` or X-Ray (see `traceContextOf`). */
  readonly trace: TraceContext | undefined;
  /** The first request of this instance. */
  readonly coldStart: boolean;
  /** The correlation fields of its log lines. */
  readonly fields: LogFields;
}

/** How it ended. */
export interface RequestEnd {
  readonly ending: Ending;
  /** Time in the rest of the chain and the method. */
  readonly durationMs: number;
  /** The answer became an SSE stream (something was sent ahead of it). */
  readonly streamed: boolean;
  /** The result, when the method returned one. */
  readonly result: McpResult | undefined;
}

/** One request, as an instrument follows it. */
export interface RequestObservation {
  /**
   * Correlation fields this instrument adds to the request's log lines and metric documents (a
   * tracer: the trace and span ids of the span it started, which win over the ids read from the
   * request).
   */
  readonly fields?: LogFields;
  /** Runs the rest of the chain and the method (e.g. inside a span's context). Default: `next()`. */
  run?(next: () => Promise<McpResult>): Promise<McpResult>;
  /** Called once when the request has ended, whatever the ending. Must not throw. */
  end(end: RequestEnd): void;
}

/** One store call, as an instrument follows it. */
export interface StoreObservation {
  /** Called once when the call settles: `error` when it failed. Must not throw. */
  end(durationMs: number, error?: unknown): void;
}

export interface Instrument {
  /** A request starts; return how to follow it, or `undefined` to ignore it. */
  request?(start: RequestStart): RequestObservation | undefined;
  /** A store call starts (`sessions.get`, `events.append`, `bus.publish`, …). */
  store?(operation: string): StoreObservation | undefined;
  /**
   * Runs around each HTTP request the handler gets, before its body is read (the core's
   * `Middleware.scope`): for a context around what happens outside any MCP request — a legacy
   * request's session lookup. Must call `run` once and return what it resolves.
   */
  scope?(request: Request, run: () => Promise<Response>): Promise<Response>;
}
