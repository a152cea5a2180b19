/**
 * What the MCP request lines and instruments do not see: each HTTP request that became no MCP
 * request — refused before one (401, 403, 404 for an unknown session, 400 for a malformed body), a
 * legacy GET (a stream opened or resumed) or DELETE (a session ended), a POST of notifications or
 * client replies only — and the life of each long-lived stream (a `subscriptions/listen` or a legacy
 * GET). When the response is made: an `http request` line (warn for a 4xx, error for a 5xx) and each
 * instrument's `http`; when such a stream ends: a `stream ended` line and each instrument's `stream`.
 */
import type { ExecutionContextLike, LogFields, RequestScope } from "@portico/core";
import { roundMs } from "./clock.ts";
import type { HttpEnd, Instrument, StreamEnd } from "./instrument.ts";
import type { StructuredLogger } from "./logger.ts";
import { quietly } from "./quietly.ts";
import { followStream, opensLongStream } from "./stream-lines.ts";
import { traceContextOf } from "./trace-context.ts";
import { flushLines, linesWritten } from "./writer.ts";

/** Longest client-given id written (a session id is 32 characters; the rest is a client's doing). */
const MAX_ID = 200;

export interface HttpScopeOptions {
  /** Writes the lines; `undefined`: none. */
  readonly logger: StructuredLogger | undefined;
  /** Those with an `http` or `stream` hook. */
  readonly instruments: readonly Instrument[];
  /** The headers of HTTP requests an MCP request covers (the same object the scope sees). */
  readonly handled: WeakSet<Headers>;
}

/** Runs `work` for each instrument; what one throws or rejects is dropped. */
function each(instruments: readonly Instrument[], work: (i: Instrument) => unknown): void {
  for (const instrument of instruments) {
    try {
      quietly(work(instrument));
    } catch {
      // An instrument never fails the request it describes.
    }
  }
}

/**
 * The request's lines (its MCP request line, its HTTP line, its documents) are batched to the end
 * of the turn: the host's `waitUntil` keeps the invocation open until they are written (Lambda's
 * `handle()` awaits it before returning its result; Vercel before ending the function), whatever
 * the runtime does between an answer and the next event.
 */
function holdFor(host: ExecutionContextLike): void {
  if (host.waitUntil === undefined) return;
  const written = linesWritten();
  if (written === undefined) return;
  try {
    host.waitUntil(written);
  } catch {
    // A host that no longer takes work: the lines still leave at the end of the turn.
  }
}

export function httpScope({ logger, instruments, handled }: HttpScopeOptions): RequestScope {
  const hearing = instruments.filter((i) => i.http !== undefined);
  const following = instruments.filter((i) => i.stream !== undefined);
  /** Lines and hooks for a request that became no MCP request. */
  const report = (request: Request, response: Response, host: ExecutionContextLike, started: number) => {
    if (handled.has(request.headers)) return;
    try {
      const durationMs = performance.now() - started;
      const fields = httpFields(request, host);
      const status = response.status;
      const streamed = isEventStream(response);
      if (logger !== undefined) line(logger, fields, status, durationMs, streamed);
      if (hearing.length === 0) return;
      const end: HttpEnd = { request, status, durationMs, streamed, fields };
      each(hearing, (i) => i.http?.(end));
    } catch {
      // Nothing reported never fails the request it describes.
    }
  };
  const follows = () => following.length > 0 || logger?.enabled("info") === true;
  return (request, run, host) => {
    const started = performance.now();
    const answer = run();
    if (opensLongStream(request)) {
      // A long-lived stream is followed to its end: its response is replaced by the followed one.
      return answer.then((response) => {
        report(request, response, host, started);
        holdFor(host);
        return isEventStream(response) && follows() ? followed(request, response, host) : response;
      });
    }
    // Anything else: the answer is handed back as it is (the handler then has nothing to check),
    // and the request reported beside it. A failed answer is the handler's to report.
    answer.then(
      (response) => {
        report(request, response, host, started);
        holdFor(host);
      },
      () => holdFor(host),
    );
    return answer;
  };

  /** `response` followed to its end, then its line and hooks (never failing the stream). */
  function followed(request: Request, response: Response, host: ExecutionContextLike): Response {
    try {
      const fields = httpFields(request, host);
      const kind = request.method === "GET" ? "get" : "listen";
      return followStream(response, ({ durationMs, bytes, endedBy }) => {
        try {
          logger?.info("stream ended", { ...fields, durationMs: roundMs(durationMs), bytes, endedBy });
          const end: StreamEnd = { kind, durationMs, bytes, endedBy, fields };
          each(following, (i) => i.stream?.(end));
          // Before the stream's end reaches the host, which may end the invocation with it.
          flushLines();
        } catch {
          // As for every line: never the stream's failure.
        }
      });
    } catch {
      return response;
    }
  }
}

/** The `http request` line of a request that became no MCP request. */
function line(
  logger: StructuredLogger,
  fields: LogFields,
  status: number,
  durationMs: number,
  streamed: boolean,
): void {
  const severity = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
  if (!logger.enabled(severity)) return;
  const own: LogFields = { ...fields, status, durationMs: roundMs(durationMs) };
  if (streamed) own.streamed = true;
  logger[severity]("http request", own);
}

const isEventStream = (response: Response) =>
  response.headers.get("content-type")?.startsWith("text/event-stream") === true;

/** The correlation fields of an HTTP request that names no MCP request line's fields. */
function httpFields(request: Request, host: ExecutionContextLike): LogFields {
  const fields: LogFields = { httpMethod: request.method };
  const method = request.headers.get("mcp-method");
  if (method !== null) fields.method = method.slice(0, MAX_ID);
  const session = request.headers.get("mcp-session-id");
  if (session !== null && session !== "") fields.sessionId = session.slice(0, MAX_ID);
  if (host.requestId !== undefined) fields.hostRequestId = host.requestId;
  const trace = traceContextOf(request.headers, undefined);
  if (trace !== undefined) fields.traceId = trace.traceId;
  return fields;
}
