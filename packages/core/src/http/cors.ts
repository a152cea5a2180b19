/**
 * CORS, so that a browser page on another origin can call the endpoint and read its answers.
 *
 * **Who gets CORS.** Exactly the cross-origin `Origin`s the Host/Origin check admits: those listed
 * in `allowedOrigins` (any origin, `null` included, with `["*"]`) and localhost origins
 * (`http(s)://localhost|127.0.0.1|[::1]` on any port, e.g. a dev page on `localhost:5173` calling
 * a server on `localhost:3000`). Admission and readability go together: an origin the check lets
 * call tools may read their answers. That is safe because no ambient credential is ever honoured
 * cross-origin: `Access-Control-Allow-Credentials` is never sent, so browsers send no cookies or
 * HTTP auth, and a page can only send the `Authorization` it already holds. The allowed origin is
 * always the request's own, reflected (never `*`). Nothing is added for a request without `Origin`
 * (no work at all: the hot path), for a same-origin request (`Origin`'s host is the request's
 * `Host`) or for an origin the check refused (its 403 carries no CORS header).
 *
 * **Preflights** (`OPTIONS` with `Access-Control-Request-Method`) carry no credentials and are
 * answered before authentication: 204 with the methods, the requested headers MCP uses, and a
 * 2-hour `Access-Control-Max-Age`. **Every other answer** (results, JSON-RPC and HTTP errors, SSE
 * streams, an authenticator's 401/403 and metadata, the catch-all 500) gets the allowed origin,
 * the exposed headers and `Vary: Origin`.
 */

import { bufferedResponse } from "@portico/host";

/** The methods of the endpoint. */
const ALLOW_METHODS = "GET, POST, DELETE, OPTIONS";

/**
 * Request headers an MCP client sends, in lower case (plus any `Mcp-Param-*`): the protocol's, and
 * W3C trace context and baggage, which a traced browser client adds to every request (refused, the
 * browser would block the request itself).
 */
const ALLOWED_HEADERS = new Set([
  "authorization",
  "content-type",
  "accept",
  "last-event-id",
  "mcp-session-id",
  "mcp-protocol-version",
  "mcp-method",
  "mcp-name",
  "traceparent",
  "tracestate",
  "baggage",
]);

/** Headers mirroring `x-mcp-header` tool arguments (2026-07-28). */
const PARAM_PREFIX = "mcp-param-";

/**
 * Response headers a page may read besides the CORS-safelisted ones: the legacy session id, the
 * negotiated version, authentication challenges (401/403) and back-off hints (503/429).
 */
const EXPOSE_HEADERS = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After";

/** How long (seconds) a browser may reuse a preflight's answer; Chromium caps it at 7200. */
const MAX_AGE = "7200";

const PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

/**
 * `origin` (the request's `Origin`, already admitted by the Host/Origin check) when the request is
 * cross-origin, `undefined` for a same-origin one: its host is the request's `Host`.
 */
export function corsOrigin(request: Request, origin: string): string | undefined {
  const host = request.headers.get("host") ?? hostOf(request.url);
  const start = origin.indexOf("://");
  if (host !== null && start !== -1 && origin.slice(start + 3).toLowerCase() === host.trim().toLowerCase())
    return undefined;
  return origin;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/**
 * The 204 answering a CORS preflight from `origin` (see {@link corsOrigin}), or `undefined` when
 * the request is not a preflight. It allows the requested headers MCP uses (`Authorization`,
 * `Content-Type`, `Accept`, `Last-Event-ID`, `Mcp-Session-Id`, `Mcp-Protocol-Version`,
 * `Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`, `traceparent`, `tracestate`, `baggage`) and no others.
 */
export function corsPreflight(request: Request, origin: string): Response | undefined {
  if (request.method !== "OPTIONS" || !request.headers.has("access-control-request-method")) return undefined;
  const headers: Record<string, string> = {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": ALLOW_METHODS,
    "access-control-max-age": MAX_AGE,
    vary: PREFLIGHT_VARY,
  };
  const allowed = allowedHeaders(request.headers.get("access-control-request-headers"));
  if (allowed !== "") headers["access-control-allow-headers"] = allowed;
  return bufferedResponse(null, 204, headers);
}

/** The requested header names (comma-separated) that MCP uses, in lower case. */
function allowedHeaders(requested: string | null): string {
  if (requested === null) return "";
  const names: string[] = [];
  for (const part of requested.split(",")) {
    const name = part.trim().toLowerCase();
    if (ALLOWED_HEADERS.has(name) || (name.startsWith(PARAM_PREFIX) && name.length > PARAM_PREFIX.length))
      names.push(name);
  }
  return names.join(", ");
}

/**
 * `response` with the CORS headers of an actual answer to `origin` (`undefined`: no CORS, the
 * response as it is): `Access-Control-Allow-Origin`, `Access-Control-Expose-Headers` and
 * `Vary: Origin`, each merged with what the response already says. A response whose headers are
 * immutable (one from `fetch()`, `Response.redirect()`) is rebuilt around the same body stream.
 * Never throws.
 */
export function withCors(response: Response, origin: string | undefined): Response {
  if (origin === undefined) return response;
  try {
    decorate(response.headers, origin);
    return response;
  } catch {
    try {
      const rebuilt = new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
      decorate(rebuilt.headers, origin);
      return rebuilt;
    } catch {
      // Only `Response.error()` (status 0) cannot be rebuilt: the browser sees a network error anyway.
      return response;
    }
  }
}

function decorate(headers: Headers, origin: string): void {
  headers.set("access-control-allow-origin", origin);
  headers.set(
    "access-control-expose-headers",
    merge(headers.get("access-control-expose-headers"), EXPOSE_HEADERS),
  );
  headers.set("vary", merge(headers.get("vary"), "Origin"));
}

/** `existing` (a comma-separated list) with the entries of `added` it lacks; `*` already covers all. */
function merge(existing: string | null, added: string): string {
  if (existing === null || existing.trim() === "") return added;
  const present = new Set(existing.split(",").map((entry) => entry.trim().toLowerCase()));
  if (present.has("*")) return existing;
  const missing = added.split(", ").filter((entry) => !present.has(entry.toLowerCase()));
  return missing.length === 0 ? existing : `${existing}, ${missing.join(", ")}`;
}
