/** HTTP APIs (payload format 2.0) and Lambda Function URLs, which share the format. */
import { type AuthInfo, bufferedRequest, LightHeaders } from "@portico/host";
import { eventBody } from "./_body.ts";
import { byteString, splitHeaders } from "./_maps.ts";
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
      if (value !== undefined) headers.set(name, byteString(value));
    }
    // Payload 2.0 moves cookies out of the headers.
    if (event.cookies !== undefined && event.cookies.length > 0)
      headers.set("cookie", byteString(event.cookies.join("; ")));
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
      const auth = authFromClaims(
        claims,
        { claims },
        { scopes: Array.isArray(jwt.scopes) ? jwt.scopes : undefined },
      );
      // API Gateway checked the token against the authorizer's issuer: the same `sub` from
      // another issuer is another caller.
      const issuer = stringOf(claims.iss);
      if (issuer !== undefined) auth.issuer = issuer;
      return auth;
    }
    if (isObject(authorizer.lambda)) {
      const context = authorizer.lambda;
      return authFromClaims(context, { ...context }, { subject: stringOf(context.principalId) });
    }
    if (isObject(authorizer.iam)) {
      const iam = authorizer.iam;
      const cognito = isObject(iam.cognitoIdentity) ? (iam.cognitoIdentity as Record<string, unknown>) : {};
      const caller: IamCaller = {
        accountId: stringOf(iam.accountId),
        userArn: stringOf(iam.userArn),
        userId: stringOf(iam.userId),
        cognitoIdentityId: stringOf(cognito.identityId),
        cognitoIdentityPoolId: stringOf(cognito.identityPoolId),
      };
      return iamAuth(caller, { iam });
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

/**
 * What AWS fills in for a caller whose SigV4 signature it checked (IAM authorization): HTTP API and
 * Function URL events under `requestContext.authorizer.iam` (`cognitoIdentity.identityId`,
 * `.identityPoolId`), REST API events in `requestContext.identity` (`cognitoIdentityId`,
 * `cognitoIdentityPoolId`, `user`). A client cannot write these fields.
 */
export interface IamCaller {
  accountId: string | undefined;
  userArn: string | undefined;
  /** The unique id: `AIDA…` for a user, `AROA…:<session name>` for an assumed role. */
  userId: string | undefined;
  cognitoIdentityId: string | undefined;
  cognitoIdentityPoolId: string | undefined;
}

/**
 * An IAM caller's auth info; one rule for every front door:
 *
 * - Signed with credentials of a Cognito identity pool: `subject` is the identity id, `issuer`
 *   `cognito-identity:<identity pool id>`. Every user of a pool signs with the same role session
 *   (`arn:aws:sts::<account>:assumed-role/<Role>/CognitoIdentityCredentials`), so the ARN does not
 *   tell them apart; the identity id does.
 * - Otherwise: `subject` is the ARN (else the unique id), `issuer` `aws-iam:<account id>`, so a
 *   caller of one account never shares a principal with a caller of another, nor with an identity
 *   from another authorizer.
 *
 * An assumed role's ARN ends with the session name, which whoever assumes the role chooses: callers
 * allowed to assume the same role can pick the same name, and are then the same caller.
 */
export function iamAuth(caller: IamCaller, extra: Record<string, unknown>): AuthInfo {
  const auth: AuthInfo = { extra };
  if (caller.cognitoIdentityId !== undefined) {
    auth.subject = caller.cognitoIdentityId;
    auth.issuer =
      caller.cognitoIdentityPoolId === undefined
        ? "cognito-identity"
        : `cognito-identity:${caller.cognitoIdentityPoolId}`;
    return auth;
  }
  const subject = caller.userArn ?? caller.userId;
  if (subject !== undefined) {
    auth.subject = subject;
    auth.issuer = caller.accountId === undefined ? "aws-iam" : `aws-iam:${caller.accountId}`;
  }
  return auth;
}

function isObject<T>(value: T | null | undefined): value is T & object {
  return typeof value === "object" && value !== null;
}
