/**
 * Who an IAM (SigV4) caller is, as the core binds sessions and tasks to it (`principalOf`: issuer,
 * subject, client id). Every user of a Cognito identity pool signs with credentials of the same role
 * session — `arn:aws:sts::<account>:assumed-role/<Role>/CognitoIdentityCredentials` — so only the
 * Cognito identity id tells two of them apart. Checked through a real handler, on HTTP API /
 * Function URL events (payload 2.0, `authorizer.iam`) and REST API events (1.0,
 * `requestContext.identity`), plus the JWT authorizers' issuer.
 */
import { addTool, createHandler, enableTasks, McpServer, memoryStores } from "@portico/core";
import { initializeBody, type JsonRpcMessage, jsonRpc, legacyPost, readJsonRpc } from "@portico/test-kit";
import type { APIGatewayEventIdentity, APIGatewayEventRequestContextIAMAuthorizer } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { type ApiGatewayV1Event, fromResult, handle, type LambdaHttpEvent, toEvent } from "../src/index.ts";

const HOST = "abc123.execute-api.eu-west-1.amazonaws.com";
const URL_ = `https://${HOST}/mcp`;
const ACCOUNT = "111122223333";
const POOL = "eu-west-1:11111111-2222-3333-4444-555555555555";
const ROLE_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/Cognito_PoolAuth_Role/CognitoIdentityCredentials`;
const ROLE_USER_ID = "AROAEXAMPLEROLEID:CognitoIdentityCredentials";
const ALICE_ID = "eu-west-1:aaaaaaaa-0000-0000-0000-00000000a11c";
const BOB_ID = "eu-west-1:bbbbbbbb-0000-0000-0000-0000000000b0";

/** How a caller arrives: the parts of an event AWS fills in after checking the signature. */
type Caller =
  | { kind: "v2"; authorizer: Record<string, unknown> }
  | { kind: "v1"; identity?: APIGatewayEventIdentity; authorizer?: Record<string, unknown> };

type V2Caller = Extract<Caller, { kind: "v2" }>;
type V1Caller = Extract<Caller, { kind: "v1" }>;

/**
 * `authorizer.iam` of a payload 2.0 event (the shape of @types/aws-lambda, which types
 * `cognitoIdentity` as null only; AWS fills it in for identity-pool credentials). `userArn: ""`
 * leaves the ARN out.
 */
function iamV2(fields: {
  userArn?: string;
  userId?: string;
  accountId?: string;
  cognitoIdentityId?: string;
}): V2Caller {
  const iam: Record<string, unknown> = {
    accessKey: "ASIAEXAMPLE",
    accountId: fields.accountId ?? ACCOUNT,
    callerId: fields.userId ?? ROLE_USER_ID,
    cognitoIdentity:
      fields.cognitoIdentityId === undefined
        ? null
        : { amr: ["authenticated"], identityId: fields.cognitoIdentityId, identityPoolId: POOL },
    principalOrgId: null,
    userArn: fields.userArn ?? ROLE_ARN,
    userId: fields.userId ?? ROLE_USER_ID,
  };
  if (fields.userArn === "") delete iam.userArn;
  const authorizer = { iam } as unknown as APIGatewayEventRequestContextIAMAuthorizer;
  return { kind: "v2", authorizer: { ...authorizer } };
}

/** `requestContext.identity` of a REST API (payload 1.0) event with IAM authorization. */
function iamV1(fields: { userArn?: string; user?: string; cognitoIdentityId?: string }): V1Caller {
  const cognito = fields.cognitoIdentityId !== undefined;
  return {
    kind: "v1",
    identity: {
      accessKey: "ASIAEXAMPLE",
      accountId: ACCOUNT,
      apiKey: null,
      apiKeyId: null,
      caller: fields.user ?? ROLE_USER_ID,
      clientCert: null,
      cognitoAuthenticationProvider: cognito
        ? `cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool,cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool:CognitoSignIn:${fields.cognitoIdentityId}`
        : null,
      cognitoAuthenticationType: cognito ? "authenticated" : null,
      cognitoIdentityId: fields.cognitoIdentityId ?? null,
      cognitoIdentityPoolId: cognito ? POOL : null,
      principalOrgId: null,
      sourceIp: "198.51.100.1",
      user: fields.user ?? ROLE_USER_ID,
      userAgent: "test",
      userArn: fields.userArn ?? ROLE_ARN,
    },
  };
}

/** A fresh server with tasks and memory stores; `whoami` echoes `ctx.auth`, `diary` runs as a task. */
function app() {
  const server = new McpServer({ name: "iam", version: "1" });
  enableTasks(server);
  addTool(server, "whoami", {}, (_args, ctx) => JSON.stringify(ctx.auth ?? null));
  addTool(server, "diary", { taskSupport: "optional" }, () => "private diary");
  const handler = handle(createHandler(server, { stores: memoryStores(), onError: () => {} }));
  const context = { awsRequestId: "r", getRemainingTimeInMillis: () => 30_000 };

  /** Sends `request` as `caller` would arrive; returns the response. */
  async function send(request: Request, caller: Caller): Promise<Response> {
    let event: LambdaHttpEvent;
    if (caller.kind === "v2") {
      event = await toEvent(request, "v2", { authorizer: caller.authorizer, sourceIp: "198.51.100.1" });
    } else {
      event = await toEvent(
        request,
        "v1",
        caller.authorizer === undefined ? {} : { authorizer: caller.authorizer },
      );
      if (caller.identity !== undefined)
        (event as ApiGatewayV1Event).requestContext.identity = caller.identity;
    }
    return fromResult(await handler(event, context));
  }

  /** A legacy (2025-11-25) session opened by `caller`. */
  async function open(caller: Caller): Promise<string> {
    const response = await send(legacyPost(URL_, initializeBody(1, { capabilities: { tasks: {} } })), caller);
    expect(response.status).toBe(200);
    const id = response.headers.get("mcp-session-id");
    expect(id).toBeTypeOf("string");
    return id as string;
  }

  /** One request on a session: the status and the JSON-RPC answer (if any). */
  async function call(
    caller: Caller,
    sessionId: string,
    method: string,
    params: Record<string, unknown>,
  ): Promise<{ status: number; answer: JsonRpcMessage | undefined }> {
    const request = legacyPost(URL_, jsonRpc(2, method, params), {
      sessionId,
      protocolVersion: "2025-11-25",
    });
    const response = await send(request, caller);
    if (response.status !== 200) return { status: response.status, answer: undefined };
    return { status: 200, answer: (await readJsonRpc(response))[0] };
  }

  /** What `ctx.auth` a tool sees for `caller`. */
  async function authOf(caller: Caller): Promise<unknown> {
    const session = await open(caller);
    const { answer } = await call(caller, session, "tools/call", { name: "whoami", arguments: {} });
    return JSON.parse(answer?.result.content[0].text);
  }

  return { open, call, authOf };
}

/**
 * Alice opens a session and runs a task; Bob, with his own session, must neither list nor read it,
 * nor use Alice's session. Alice keeps both.
 */
async function expectSeparated(alice: Caller, bob: Caller): Promise<void> {
  const { open, call } = app();
  const aliceSession = await open(alice);
  const made = await call(alice, aliceSession, "tools/call", { name: "diary", arguments: {}, task: {} });
  const taskId = made.answer?.result?.task?.taskId;
  expect(taskId).toBeTypeOf("string");
  const result = await call(alice, aliceSession, "tasks/result", { taskId });
  expect(result.answer?.result?.content?.[0]?.text).toBe("private diary");

  const bobSession = await open(bob);
  const listed = await call(bob, bobSession, "tasks/list", {});
  expect(listed.answer?.result?.tasks?.map((t: { taskId: string }) => t.taskId) ?? []).not.toContain(taskId);
  const read = await call(bob, bobSession, "tasks/result", { taskId });
  expect(read.answer?.error).toBeDefined();
  expect(read.answer?.result).toBeUndefined();
  expect((await call(bob, aliceSession, "tools/list", {})).status).toBe(404);

  // Alice, signing again (same identity), still owns both.
  expect((await call(alice, aliceSession, "tools/list", {})).status).toBe(200);
  const mine = await call(alice, aliceSession, "tasks/list", {});
  expect(mine.answer?.result?.tasks?.map((t: { taskId: string }) => t.taskId)).toContain(taskId);
}

describe("Cognito identity-pool callers (same role session, different identities)", () => {
  it("HTTP API / Function URL: the identity id as subject, the pool as issuer", async () => {
    const alice = iamV2({ cognitoIdentityId: ALICE_ID });
    const { authOf } = app();
    const auth = await authOf(alice);
    expect(auth).toEqual({
      subject: ALICE_ID,
      issuer: `cognito-identity:${POOL}`,
      extra: { iam: alice.authorizer.iam },
    });
    expect(await authOf(iamV2({ cognitoIdentityId: BOB_ID }))).toMatchObject({
      subject: BOB_ID,
      issuer: `cognito-identity:${POOL}`,
    });
  });

  it("HTTP API / Function URL: two identities share no session and no task", async () => {
    await expectSeparated(iamV2({ cognitoIdentityId: ALICE_ID }), iamV2({ cognitoIdentityId: BOB_ID }));
  });

  it("REST API: the same rule from requestContext.identity", async () => {
    const alice = iamV1({ cognitoIdentityId: ALICE_ID });
    const { authOf } = app();
    expect(await authOf(alice)).toEqual({
      subject: ALICE_ID,
      issuer: `cognito-identity:${POOL}`,
      extra: { identity: alice.identity },
    });
    await expectSeparated(alice, iamV1({ cognitoIdentityId: BOB_ID }));
  });
});

describe("IAM users and roles without Cognito", () => {
  const aliceArn = `arn:aws:iam::${ACCOUNT}:user/alice`;

  it("the caller's ARN as subject, the account as issuer; the same user keeps one principal", async () => {
    const alice = iamV2({ userArn: aliceArn, userId: "AIDAALICE" });
    const { authOf, open, call } = app();
    expect(await authOf(alice)).toMatchObject({ subject: aliceArn, issuer: `aws-iam:${ACCOUNT}` });
    // Another signature of the same user (another access key, as after a rotation) is the same caller.
    const session = await open(alice);
    const rotated = iamV2({ userArn: aliceArn, userId: "AIDAALICE" });
    (rotated.authorizer.iam as Record<string, unknown>).accessKey = "AKIAROTATED";
    expect((await call(rotated, session, "tools/list", {})).status).toBe(200);
  });

  it("another user, another role session, or the same unique id in another account is someone else", async () => {
    const alice = iamV2({ userArn: aliceArn, userId: "AIDAALICE" });
    await expectSeparated(alice, iamV2({ userArn: `arn:aws:iam::${ACCOUNT}:user/bob`, userId: "AIDABOB" }));
    await expectSeparated(
      iamV2({ userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Worker/job-1`, userId: "AROAWORKER:job-1" }),
      iamV2({ userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Worker/job-2`, userId: "AROAWORKER:job-2" }),
    );
    // Without an ARN the unique id is the subject; the account still tells two accounts apart.
    await expectSeparated(
      iamV2({ userArn: "", userId: "AIDASAME", accountId: "111111111111" }),
      iamV2({ userArn: "", userId: "AIDASAME", accountId: "222222222222" }),
    );
  });

  it("REST API: the same rule from requestContext.identity", async () => {
    const alice = iamV1({ userArn: aliceArn, user: "AIDAALICE" });
    const { authOf } = app();
    expect(await authOf(alice)).toMatchObject({ subject: aliceArn, issuer: `aws-iam:${ACCOUNT}` });
    await expectSeparated(alice, iamV1({ userArn: `arn:aws:iam::${ACCOUNT}:user/bob`, user: "AIDABOB" }));
  });
});

describe("JWT authorizers: the token's issuer", () => {
  const jwt = (iss: string): Caller => ({
    kind: "v2",
    authorizer: {
      principalId: "",
      integrationLatency: 0,
      jwt: { claims: { sub: "same-sub", iss }, scopes: null },
    },
  });

  it("HTTP API JWT authorizer: `iss` becomes the issuer; the same `sub` from another issuer is someone else", async () => {
    const { authOf } = app();
    expect(await authOf(jwt("https://idp-a.example"))).toMatchObject({
      subject: "same-sub",
      issuer: "https://idp-a.example",
    });
    await expectSeparated(jwt("https://idp-a.example"), jwt("https://idp-b.example"));
  });

  it("REST Cognito user pool authorizer: `iss` of the claims becomes the issuer", async () => {
    const pool = (iss: string): Caller => ({ kind: "v1", authorizer: { claims: { sub: "same-sub", iss } } });
    const iss = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_poolA";
    const { authOf } = app();
    expect(await authOf(pool(iss))).toMatchObject({ subject: "same-sub", issuer: iss });
    await expectSeparated(pool(iss), pool("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_poolB"));
  });
});
