/** Application Load Balancer targets, in single-value or multi-value header mode. */
import type { AuthInfo } from "@portico/host";
import { base64ToBytes, eventBody } from "./_body.ts";
import { headersFrom, queryFrom, splitHeaders } from "./_maps.ts";
import {
  type EventStrategy,
  originOf,
  requireString,
  secondsOf,
  stringOf,
  stripBasePath,
} from "./_strategy.ts";
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
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * One JSON part of a JWT (0 = header, 1 = payload), unverified: ALB signs `x-amzn-oidc-data` and the
 * load balancer is the trusted party.
 */
function jwtPart(token: string, index: 0 | 1): Record<string, unknown> | undefined {
  const part = token.split(".")[index];
  if (part === undefined) return undefined;
  try {
    const bytes = base64ToBytes(part.replace(/-/g, "+").replace(/_/g, "/"));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

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
    return new Request(url, { method, headers, body });
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

  authOf(event): AuthInfo | undefined {
    const headers = headersFrom(event.headers, event.multiValueHeaders);
    const identity = headers.get("x-amzn-oidc-identity");
    const data = headers.get("x-amzn-oidc-data");
    const accessToken = stringOf(headers.get("x-amzn-oidc-accesstoken"));
    if (identity === null && data === null && accessToken === undefined) return undefined;
    // x-amzn-oidc-data: the user claims as a JWT whose header names the OIDC client (`client`).
    const claims = data === null ? undefined : jwtPart(data, 1);
    const jwtHeader = data === null ? undefined : jwtPart(data, 0);
    const auth: AuthInfo = { extra: { oidc: claims ?? {} } };
    if (accessToken !== undefined) auth.token = accessToken;
    const subject = stringOf(identity) ?? stringOf(claims?.sub);
    if (subject !== undefined) auth.subject = subject;
    const clientId = stringOf(jwtHeader?.client);
    if (clientId !== undefined) auth.clientId = clientId;
    const expiresAt = secondsOf(claims?.exp) ?? secondsOf(jwtHeader?.exp);
    if (expiresAt !== undefined) auth.expiresAt = expiresAt;
    return auth;
  },
};
