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
import { type IamCaller, iamAuth } from "./_v2.ts";

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

  /**
   * The authorizer's identity (Lambda authorizer, Cognito user pool); else, for IAM authorization,
   * the caller AWS recorded in `requestContext.identity`. A REST method has one authorization type,
   * so an event carries one or the other.
   */
  authOf(event): AuthInfo | undefined {
    const fromAuthorizer = authorizerAuth(event.requestContext.authorizer);
    if (fromAuthorizer?.subject !== undefined || fromAuthorizer?.clientId !== undefined)
      return fromAuthorizer;
    return iamIdentityAuth(event.requestContext.identity) ?? fromAuthorizer;
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

/** A Lambda authorizer's context or a Cognito user pool's claims, as `AuthInfo`. */
function authorizerAuth(authorizer: Record<string, unknown> | null | undefined): AuthInfo | undefined {
  if (authorizer === null || authorizer === undefined || typeof authorizer !== "object") return undefined;
  // Cognito user pools put the token's claims under `claims`; Lambda authorizers put their
  // context (and `principalId`) at the top level.
  const pool = typeof authorizer.claims === "object" && authorizer.claims !== null;
  const claims = (pool ? authorizer.claims : authorizer) as Record<string, unknown>;
  const auth = authFromClaims(claims, { ...authorizer }, { subject: stringOf(authorizer.principalId) });
  // API Gateway verified the user pool's token: its `iss` names the pool. (A Lambda authorizer's
  // context is the function's own; an `iss` key there is not read.)
  const issuer = pool ? stringOf(claims.iss) : undefined;
  if (issuer !== undefined) auth.issuer = issuer;
  return auth;
}

/**
 * An IAM-authorized caller from `requestContext.identity` (`$context.identity.*`: filled in by API
 * Gateway for methods with AWS_IAM authorization, null otherwise), by the rule of {@link iamAuth};
 * `undefined` when the event names no IAM caller.
 */
function iamIdentityAuth(identity: unknown): AuthInfo | undefined {
  if (typeof identity !== "object" || identity === null) return undefined;
  const fields = identity as Record<string, unknown>;
  const caller: IamCaller = {
    accountId: stringOf(fields.accountId),
    userArn: stringOf(fields.userArn),
    userId: stringOf(fields.user),
    cognitoIdentityId: stringOf(fields.cognitoIdentityId),
    cognitoIdentityPoolId: stringOf(fields.cognitoIdentityPoolId),
  };
  if (caller.userArn === undefined && caller.userId === undefined && caller.cognitoIdentityId === undefined)
    return undefined;
  return iamAuth(caller, { identity: fields });
}
