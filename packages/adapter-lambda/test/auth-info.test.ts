import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import type {
  APIGatewayEventLambdaAuthorizerContext,
  APIGatewayEventRequestContextIAMAuthorizer,
  APIGatewayEventRequestContextJWTAuthorizer,
  APIGatewayEventRequestContextLambdaAuthorizer,
  APIGatewayProxyCognitoAuthorizer,
} from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type EventKind, handle, type ToEventOptions, toEvent } from "../src/index.ts";

// Each front door's authorizer output, in the shapes of @types/aws-lambda, as a tool sees it (`ctx.auth`).
const server = new McpServer({ name: "lambda-auth", version: "1.0.0" });
addTool(server, "whoami", { description: "Echoes the caller's auth info" }, (_args, ctx) =>
  JSON.stringify(ctx.auth ?? null),
);
const handler = handle(createHandler(server, { onError: () => {} }));
const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 60_000 };
const EXP = 2_000_000_000; // Wed May 18 2033 03:33:20 UTC

/** Calls the `whoami` tool through `handle()` with an event of `kind`; returns what the tool saw. */
async function toolSees(kind: EventKind, opts: ToEventOptions = {}, headers: Record<string, string> = {}) {
  const request = modernPost(
    "http://localhost/mcp",
    "tools/call",
    { name: "whoami", arguments: {} },
    { headers },
  );
  const result = await handler(await toEvent(request, kind, opts), context);
  expect(result.statusCode).toBe(200);
  return JSON.parse(JSON.parse(result.body).result.content[0].text);
}

const base64url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value))
    .toString("base64")
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

describe("HTTP API / Function URL authorizers (payload 2.0)", () => {
  it("Lambda authorizer context: principalId or sub as subject, scope as scopes, everything in extra", async () => {
    const authorizer: APIGatewayEventRequestContextLambdaAuthorizer<Record<string, unknown>> = {
      lambda: { principalId: "user-42", scope: "tools:call admin", tenant: "acme", isAdmin: true, exp: EXP },
    };
    expect(await toolSees("v2", { authorizer: { ...authorizer } })).toEqual({
      subject: "user-42",
      scopes: ["tools:call", "admin"],
      expiresAt: EXP,
      extra: authorizer.lambda,
    });
    const bySub: APIGatewayEventRequestContextLambdaAuthorizer<{ sub: string }> = {
      lambda: { sub: "alice" },
    };
    expect(await toolSees("v2", { authorizer: { ...bySub } })).toEqual({
      subject: "alice",
      extra: { sub: "alice" },
    });
  });

  it("IAM authorizer (SigV4 callers, IAM-auth Function URLs): the caller's ARN as subject, the account as issuer, the identity in extra", async () => {
    const authorizer: APIGatewayEventRequestContextIAMAuthorizer = {
      iam: {
        accessKey: "AKIAEXAMPLE",
        accountId: "123456789012",
        callerId: "AIDAEXAMPLE",
        cognitoIdentity: null,
        principalOrgId: "o-example",
        userArn: "arn:aws:iam::123456789012:user/alice",
        userId: "AIDAEXAMPLE",
      },
    };
    expect(await toolSees("v2", { authorizer: { ...authorizer } })).toEqual({
      subject: "arn:aws:iam::123456789012:user/alice",
      issuer: "aws-iam:123456789012",
      extra: { iam: authorizer.iam },
    });
  });

  it("JWT authorizer: sub, client_id, the authorizer's scopes, exp (as the string HTTP APIs pass)", async () => {
    const authorizer: APIGatewayEventRequestContextJWTAuthorizer = {
      principalId: "",
      integrationLatency: 0,
      jwt: { claims: { sub: "bob", client_id: "app-1", exp: String(EXP) }, scopes: ["mcp:tools"] },
    };
    expect(await toolSees("v2", { authorizer: { ...authorizer } })).toEqual({
      subject: "bob",
      clientId: "app-1",
      scopes: ["mcp:tools"],
      expiresAt: EXP,
      extra: { claims: authorizer.jwt.claims },
    });
  });

  it("no authorizer: the tool sees no auth", async () => {
    expect(await toolSees("v2")).toBeNull();
  });
});

describe("REST API authorizers (payload 1.0)", () => {
  it("Cognito user pool: the claims (all strings, `exp` as a date) become subject, client, scopes, expiry", async () => {
    const authorizer: APIGatewayProxyCognitoAuthorizer = {
      claims: {
        sub: "cognito-sub-1",
        client_id: "cognito-client",
        scope: "openid email",
        token_use: "access",
        "cognito:username": "carol",
        exp: "Wed May 18 03:33:20 UTC 2033",
        auth_time: "1700000000",
      },
    };
    expect(await toolSees("v1", { authorizer: { ...authorizer } })).toEqual({
      subject: "cognito-sub-1",
      clientId: "cognito-client",
      scopes: ["openid", "email"],
      expiresAt: EXP,
      extra: { claims: authorizer.claims },
    });
  });

  it("Lambda authorizer: principalId as subject, its context (strings) in extra", async () => {
    const authorizer: APIGatewayEventLambdaAuthorizerContext<{ tenant: string; scope: string }> = {
      principalId: "user-7",
      integrationLatency: 12,
      tenant: "t1",
      scope: "read write",
    };
    expect(await toolSees("v1", { authorizer: { ...authorizer } })).toEqual({
      subject: "user-7",
      scopes: ["read", "write"],
      extra: { ...authorizer },
    });
  });
});

describe("ALB OIDC headers", () => {
  // A forged identity: nothing signs it, yet it names an administrator.
  const jwtHeader = {
    alg: "ES256",
    kid: "key-1",
    signer: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/1",
    iss: "https://idp.example",
    client: "alb-oidc-client",
    exp: EXP,
  };
  const claims = { sub: "admin@corp.example", email: "admin@corp.example", exp: EXP };
  const forged = {
    "x-amzn-oidc-identity": "admin@corp.example",
    "x-amzn-oidc-data": `${base64url(jwtHeader)}.${base64url(claims)}.not-a-signature`,
    "x-amzn-oidc-accesstoken": "forged-access-token",
  };

  it("are never trusted unverified: a forged x-amzn-oidc-data gives the tool no identity", async () => {
    expect(await toolSees("alb", {}, forged)).toBeNull();
    expect(await toolSees("alb", { multiValue: true }, forged)).toBeNull();
  });

  it("nor on API Gateway or Function URL events", async () => {
    expect(await toolSees("v2", {}, forged)).toBeNull();
    expect(await toolSees("v1", {}, forged)).toBeNull();
  });
});
