/**
 * A line for each HTTP request that became no MCP request: refused before one (401, 403, 404 for an
 * unknown session, 400 for a malformed body), a legacy GET (a stream opened or resumed) or DELETE
 * (a session ended), a POST of notifications or client replies only. Written when the response is
 * made: `msg: "http request"`, with the HTTP method, status, duration, the session and host request
 * ids and the trace id; warn for a 4xx, error for a 5xx. A long-lived stream (a `subscriptions/listen`
 * or a legacy GET) gets a `stream ended` line when it ends, with how long it was open.
 */
import type { ExecutionContextLike, LogFields, RequestScope } from "@portico/core";
import { roundMs } from "./clock.ts";
import type { StructuredLogger } from "./logger.ts";
import { followStream, opensLongStream } from "./stream-lines.ts";
import { traceContextOf } from "./trace-context.ts";

/** Longest client-given id written (a session id is 32 characters; the rest is a client's doing). */
const MAX_ID = 200;

/** The scope writing those lines through `logger`; `handled` holds the headers of requests an MCP line covers. */
export function httpLineScope(logger: StructuredLogger, handled: WeakSet<Headers>): RequestScope {
  return (request, run, host) => {
    const started = performance.now();
    const answer = run();
    if (opensLongStream(request)) {
      // A long-lived stream is followed to its end: its response is replaced by the followed one.
      return answer.then((response) => {
        if (!handled.has(request.headers)) line(logger, request, response, host, started);
        return isEventStream(response) && logger.enabled("info")
          ? followed(logger, request, response, host)
          : response;
      });
    }
    // Anything else: the answer is handed back as it is (the handler then has nothing to check),
    // and the line is written beside it. A failed answer is the handler's to report.
    answer.then(
      (response) => {
        if (!handled.has(request.headers)) line(logger, request, response, host, started);
      },
      () => {},
    );
    return answer;
  };
}

/** The `http request` line of a request that became no MCP request. */
function line(
  logger: StructuredLogger,
  request: Request,
  response: Response,
  host: ExecutionContextLike,
  started: number,
): void {
  try {
    const status = response.status;
    const severity = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
    if (!logger.enabled(severity)) return;
    const fields = httpFields(request, host);
    fields.status = status;
    fields.durationMs = roundMs(performance.now() - started);
    if (isEventStream(response)) fields.streamed = true;
    logger[severity]("http request", fields);
  } catch {
    // A line that cannot be written never fails the request it describes.
  }
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

/** `response` followed to its end, then a `stream ended` line (never failing the stream). */
function followed(
  logger: StructuredLogger,
  request: Request,
  response: Response,
  host: ExecutionContextLike,
): Response {
  try {
    const fields = httpFields(request, host);
    return followStream(response, (end) => {
      try {
        logger.info("stream ended", {
          ...fields,
          durationMs: roundMs(end.durationMs),
          bytes: end.bytes,
          endedBy: end.endedBy,
        });
      } catch {
        // As for every line: never the stream's failure.
      }
    });
  } catch {
    return response;
  }
}
