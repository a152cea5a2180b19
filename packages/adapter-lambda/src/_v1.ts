/** API Gateway REST APIs (payload format 1.0), including multi-value headers and query strings. */
import { type AuthInfo, bufferedRequest } from "@portico/host";
import { eventBody } from "./_body.ts";
import { headersFrom, queryFrom, splitHeaders } from "./_maps.ts";
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
import type { ApiGatewayV1Event, ApiGatewayV1Result } from "./_types.ts";

export const v1: EventStrategy<ApiGatewayV1Event, ApiGatewayV1Result> = {
  kind: "v1",

  matches(event) {
    const context = event.requestContext as Record<string, unknown> | undefined;
    return (
      typeof event.httpMethod === "string" &&
      typeof context === "object" &&
      context !== null &&
      context.elb === undefined &&
      event.version !== "2.0"
    );
  },

  toRequest(event, options) {
    const method = requireString(event.httpMethod, "httpMethod");
    const path = stripBasePath(requireString(event.path, "path"), options.basePath);
    const headers = headersFrom(event.headers, event.multiValueHeaders);
    const query = queryFrom(event.queryStringParameters, event.multiValueQueryStringParameters, false);
    const url = originOf(headers, event.requestContext.domainName) + path + query;
    const body = method === "GET" || method === "HEAD" ? null : eventBody(event.body, event.isBase64Encoded);
    return bufferedRequest({ method, url, headers, body });
  },

  toResult(parts) {
    const { single, cookies } = splitHeaders(parts.headers);
    return {
      statusCode: parts.status,
      headers: single,
      multiValueHeaders: cookies.length > 0 ? { "set-cookie": cookies } : {},
      body: parts.body,
      isBase64Encoded: parts.isBase64Encoded,
    };
  },

  authOf(event): AuthInfo | undefined {
    const authorizer = event.requestContext.authorizer;
    if (authorizer === null || authorizer === undefined || typeof authorizer !== "object") return undefined;
    // Cognito user pools put the token's claims under `claims`; Lambda authorizers put their
    // context (and `principalId`) at the top level.
    const claims = (
      typeof authorizer.claims === "object" && authorizer.claims !== null ? authorizer.claims : authorizer
    ) as Record<string, unknown>;
    return authFromClaims(claims, { ...authorizer }, { subject: stringOf(authorizer.principalId) });
  },

  routedHostOf(event) {
    return domainNameOf(event.requestContext);
  },

  /**
   * `requestContext.identity.sourceIp`: API Gateway's `$context.identity.sourceIp`, "the source IP
   * address of the TCP connection making the request to API Gateway"
   * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
   * API Gateway sets it; entries a client writes into `X-Forwarded-For` do not change it.
   */
  sourceIpOf(event) {
    return sourceIpFrom(event.requestContext.identity?.sourceIp);
  },
};
