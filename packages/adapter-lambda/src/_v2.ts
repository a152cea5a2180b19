/** HTTP APIs (payload format 2.0) and Lambda Function URLs, which share the format. */
import { type AuthInfo, bufferedRequest, LightHeaders } from "@portico/host";
import { eventBody } from "./_body.ts";
import { splitHeaders } from "./_maps.ts";
import {
  authFromClaims,
  domainNameOf,
  type EventStrategy,
  originOf,
  requireString,
  sourceIpFrom,
  stringOf,
  stripBasePath,
} from "./_strategy.ts";
import type { ApiGatewayV2Event, ApiGatewayV2Result } from "./_types.ts";

export const v2: EventStrategy<ApiGatewayV2Event, ApiGatewayV2Result> = {
  kind: "v2",

  matches(event) {
    const context = event.requestContext as { http?: unknown } | undefined;
    return event.version === "2.0" && typeof context?.http === "object" && context.http !== null;
  },

  toRequest(event, options) {
    const method = requireString(event.requestContext.http.method, "requestContext.http.method");
    const path = stripBasePath(requireString(event.rawPath, "rawPath"), options.basePath);
    const headers = new LightHeaders();
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (value !== undefined) headers.set(name, value);
    }
    // Payload 2.0 moves cookies out of the headers.
    if (event.cookies !== undefined && event.cookies.length > 0)
      headers.set("cookie", event.cookies.join("; "));
    const query = event.rawQueryString ? `?${event.rawQueryString}` : "";
    const url = originOf(headers, event.requestContext.domainName) + path + query;
    const body = method === "GET" || method === "HEAD" ? null : eventBody(event.body, event.isBase64Encoded);
    return bufferedRequest({ method, url, headers, body });
  },

  toResult(parts) {
    const { single, cookies } = splitHeaders(parts.headers);
    return {
      statusCode: parts.status,
      headers: single,
      cookies,
      body: parts.body,
      isBase64Encoded: parts.isBase64Encoded,
    };
  },

  authOf(event): AuthInfo | undefined {
    // Events are JSON: any part of the authorizer may be null (or not an object) in a broken one.
    const authorizer = event.requestContext.authorizer;
    if (!isObject(authorizer)) return undefined;
    if (isObject(authorizer.jwt)) {
      const jwt = authorizer.jwt;
      const claims = isObject(jwt.claims) ? jwt.claims : {};
      return authFromClaims(
        claims,
        { claims },
        { scopes: Array.isArray(jwt.scopes) ? jwt.scopes : undefined },
      );
    }
    if (isObject(authorizer.lambda)) {
      const context = authorizer.lambda;
      return authFromClaims(context, { ...context }, { subject: stringOf(context.principalId) });
    }
    if (isObject(authorizer.iam)) {
      const iam = authorizer.iam;
      const auth: AuthInfo = { extra: { iam } };
      const subject = stringOf(iam.userArn) ?? stringOf(iam.userId);
      if (subject !== undefined) auth.subject = subject;
      return auth;
    }
    return undefined;
  },

  routedHostOf(event) {
    return domainNameOf(event.requestContext);
  },

  /**
   * `requestContext.http.sourceIp`: for HTTP APIs "the source IP address of the TCP connection
   * making the request to API Gateway"; Function URL events carry the same field
   * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html, request payload). Set by AWS
   * from the connection, not taken from a header.
   */
  sourceIpOf(event) {
    return sourceIpFrom(event.requestContext.http.sourceIp);
  },
};

function isObject<T>(value: T | null | undefined): value is T & object {
  return typeof value === "object" && value !== null;
}
