/**
 * A line for each HTTP request that became no MCP request: refused before one (401, 403, 404 for an
 * unknown session, 400 for a malformed body), a legacy GET (a stream opened or resumed) or DELETE
 * (a session ended), a POST of notifications or client replies only. Written when the response is
 * made (a stream's life is not in it): `msg: "http request"`, with the HTTP method, status, duration,
 * the session and host request ids and the trace id; warn for a 4xx, error for a 5xx.
 */
import type { LogFields, RequestScope } from "@portico/core";
import type { StructuredLogger } from "./logger.ts";
import { traceContextOf } from "./trace-context.ts";

/** Longest client-given id written (a session id is 32 characters; the rest is a client's doing). */
const MAX_ID = 200;

const round = (ms: number) => Math.round(ms * 100) / 100;

/** The scope writing those lines through `logger`; `handled` holds the headers of requests an MCP line covers. */
export function httpLineScope(logger: StructuredLogger, handled: WeakSet<Headers>): RequestScope {
  return async (request, run, host) => {
    const started = performance.now();
    const response = await run();
    if (handled.has(request.headers)) return response;
    try {
      const status = response.status;
      const severity = status >= 500 ? "error" : status >= 400 ? "warn" : "info";
      if (!logger.enabled(severity)) return response;
      const fields: LogFields = {
        httpMethod: request.method,
        status,
        durationMs: round(performance.now() - started),
      };
      const session = request.headers.get("mcp-session-id");
      if (session !== null && session !== "") fields.sessionId = session.slice(0, MAX_ID);
      if (host.requestId !== undefined) fields.hostRequestId = host.requestId;
      const trace = traceContextOf(request.headers, undefined);
      if (trace !== undefined) fields.traceId = trace.traceId;
      if (response.headers.get("content-type")?.startsWith("text/event-stream")) fields.streamed = true;
      logger[severity]("http request", fields);
    } catch {
      // A line that cannot be written never fails the request it describes.
    }
    return response;
  };
}
