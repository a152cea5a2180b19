/** Application Load Balancer targets, in single-value or multi-value header mode. */
import { type AuthInfo, bufferedRequest } from "@portico/host";
import { eventBody } from "./_body.ts";
import { headersFrom, queryFrom, splitHeaders } from "./_maps.ts";
import { type EventStrategy, originOf, requireString, stripBasePath } from "./_strategy.ts";
import type { AlbEvent, AlbResult } from "./_types.ts";

const REASONS: Record<number, string> = {
  200: "OK",
  202: "Accepted",
  204: "No Content",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export const alb: EventStrategy<AlbEvent, AlbResult> = {
  kind: "alb",

  matches(event) {
    const context = event.requestContext as { elb?: unknown } | undefined;
    return typeof context?.elb === "object" && context.elb !== null;
  },

  toRequest(event, options) {
    const method = requireString(event.httpMethod, "httpMethod");
    const path = stripBasePath(requireString(event.path, "path"), options.basePath);
    const headers = headersFrom(event.headers, event.multiValueHeaders);
    // ALB passes query values exactly as the client sent them (still percent-encoded).
    const query = queryFrom(event.queryStringParameters, event.multiValueQueryStringParameters, true);
    const url = originOf(headers, undefined) + path + query;
    const body = method === "GET" || method === "HEAD" ? null : eventBody(event.body, event.isBase64Encoded);
    return bufferedRequest({ method, url, headers, body });
  },

  toResult(parts, event) {
    const statusDescription = `${parts.status} ${parts.statusText || REASONS[parts.status] || ""}`.trim();
    const base = {
      statusCode: parts.status,
      statusDescription,
      body: parts.body,
      isBase64Encoded: parts.isBase64Encoded,
    };
    const { single, cookies } = splitHeaders(parts.headers);
    if (event.multiValueHeaders !== undefined) {
      const multiValueHeaders: Record<string, string[]> = {};
      for (const name in single) multiValueHeaders[name] = [single[name] as string];
      if (cookies.length > 0) multiValueHeaders["set-cookie"] = cookies;
      return { ...base, multiValueHeaders };
    }
    // Single-value mode carries one value per name: the last cookie wins (enable multi-value mode for more).
    const last = cookies.at(-1);
    if (last !== undefined) single["set-cookie"] = last;
    return { ...base, headers: single };
  },

  /**
   * No identity from the request: the `x-amzn-oidc-*` headers an ALB with OIDC authentication adds
   * are only trustworthy once their ES256 signature is checked against the load balancer's
   * regional key (a client can send them too, e.g. to a target reachable another way). Verify them
   * with `albOidc({ region })` of `@portico/auth` (`createHandler(server, { auth })`).
   */
  authOf(): AuthInfo | undefined {
    return undefined;
  },

  /** ALB events name no host: list the load balancer's DNS name or your domain in `allowedHosts`. */
  routedHostOf() {
    return undefined;
  },

  /**
   * None. An ALB event has no source address field, only the request's headers, and the one that
   * could carry it, `X-Forwarded-For`, depends on the load balancer's
   * `routing.http.xff_header_processing.mode`
   * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html):
   * with `append` (the default) the ALB adds the address it saw as the
   * last entry, but with `preserve` it forwards the client's header unchanged, and with `remove` it
   * drops it. The event does not say which mode is on, so a last entry may be the client's own
   * writing. Set `ctx.clientAddress` in your app if you know your load balancer appends (README).
   */
  sourceIpOf() {
    return undefined;
  },
};
