/**
 * What `observe()` feeds besides its logs: an instrument (metrics, traces) hears every MCP request
 * start and end, every HTTP request that became no MCP request, the end of every long-lived stream,
 * and every store call when the stores are wrapped with `ops.stores(…)`. The package's own
 * instruments are built on this contract; you can write one too.
 */

import type { LogFields, McpCall, McpResult } from "@portico/core";
import type { Ending } from "./outcome.ts";
import type { Redactor } from "./redact.ts";
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
  /** The redaction of its log lines (the always-secret keys and `observe`'s `redact` list), for what an instrument records of the request. */
  readonly redact: Redactor;
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

/**
 * An HTTP request that became no MCP request — refused before one (401 from the authenticator, 403
 * Host/Origin, 404 unknown session, 400 malformed body, 405), a legacy GET (a stream opened or
 * resumed) or DELETE (a session ended), a POST of notifications or client replies only — when its
 * response is made.
 */
export interface HttpEnd {
  /** The request as the handler got it (its body may have been read). */
  readonly request: Request;
  readonly status: number;
  /** From the handler getting the request to its response being made. */
  readonly durationMs: number;
  /** The response is an SSE stream (a legacy GET): its end is a `StreamEnd`. */
  readonly streamed: boolean;
  /**
   * Its correlation fields: `httpMethod`, and where there is one `method` (the `Mcp-Method` header),
   * `sessionId` (`Mcp-Session-Id`; both client-given, at most 200 characters), `hostRequestId`,
   * `traceId`. Shared with the other instruments and the log line: do not change it.
   */
  readonly fields: Readonly<LogFields>;
}

/** A long-lived stream ended: a `subscriptions/listen` stream, or a legacy GET stream. */
export interface StreamEnd {
  readonly kind: "listen" | "get";
  /** From its response being made to its end. */
  readonly durationMs: number;
  /** Bytes of its body that reached the client's side of the handler. */
  readonly bytes: number;
  /** `server`: it closed the stream (a limit, shutdown, the session's end); `client`: it went away. */
  readonly endedBy: "server" | "client";
  /** As `HttpEnd.fields`. */
  readonly fields: Readonly<LogFields>;
}

export interface Instrument {
  /** A request starts; return how to follow it, or `undefined` to ignore it. */
  request?(start: RequestStart): RequestObservation | undefined;
  /** A store call starts (`sessions.get`, `events.append`, `bus.publish`, …). */
  store?(operation: string): StoreObservation | undefined;
  /** An HTTP request that became no MCP request has its response. Must not throw. */
  http?(end: HttpEnd): void;
  /** A long-lived stream ended. Must not throw. */
  stream?(end: StreamEnd): void;
  /**
   * Runs around each HTTP request the handler gets, before its body is read (the core's
   * `Middleware.scope`): for a context around what happens outside any MCP request — a legacy
   * request's session lookup. Must call `run` once and return what it resolves.
   */
  scope?(request: Request, run: () => Promise<Response>): Promise<Response>;
}
