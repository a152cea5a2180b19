import type {
  ALBEvent,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyEventV2WithJWTAuthorizer,
} from "aws-lambda";
import { describe, expect, it } from "vitest";
import {
  type AlbResult,
  type ApiGatewayV1Result,
  type ApiGatewayV2Result,
  eventKind,
  handle,
  toRequest,
} from "../src/index.ts";

/** Answers with what it saw: method, URL, headers, body (base64 when binary), auth and request id. */
const echo = {
  async fetch(
    request: Request,
    _env?: unknown,
    ctx?: { requestId?: string; authInfo?: unknown; deadline?: number },
  ) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    return Response.json(
      {
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: new TextDecoder().decode(bytes),
        bytes: [...bytes.slice(0, 4)],
        requestId: ctx?.requestId,
        auth: ctx?.authInfo,
        hasDeadline: typeof ctx?.deadline === "number",
      },
      {
        headers: [
          ["set-cookie", "a=1"],
          ["set-cookie", "b=2"],
          ["x-one", "1"],
        ],
      },
    );
  },
};
const context = { awsRequestId: "req-123", getRemainingTimeInMillis: () => 10_000 };

const v1Event: APIGatewayProxyEvent = {
  resource: "/{proxy+}",
  path: "/api/mcp",
  httpMethod: "POST",
  headers: {
    Host: "abc.execute-api.us-east-1.amazonaws.com",
    "Content-Type": "application/json",
    "X-Multi": "b",
  },
  multiValueHeaders: {
    Host: ["abc.execute-api.us-east-1.amazonaws.com"],
    "Content-Type": ["application/json"],
    "X-Multi": ["a", "b"],
  },
  queryStringParameters: { q: "x y", r: "2" },
  multiValueQueryStringParameters: { q: ["x y"], r: ["1", "2"] },
  pathParameters: null,
  stageVariables: null,
  body: "eyJhIjoxfQ==",
  isBase64Encoded: true,
  requestContext: {
    accountId: "1",
    apiId: "abc",
    authorizer: { principalId: "user-7", scope: "read write", tenant: "t1" },
    protocol: "HTTP/1.1",
    httpMethod: "POST",
    identity: {} as APIGatewayProxyEvent["requestContext"]["identity"],
    path: "/prod/api/mcp",
    stage: "prod",
    requestId: "gw-1",
    requestTimeEpoch: 0,
    resourceId: "r",
    resourcePath: "/{proxy+}",
  },
};

const v2Event: APIGatewayProxyEventV2WithJWTAuthorizer = {
  version: "2.0",
  routeKey: "ANY /mcp",
  rawPath: "/mcp",
  rawQueryString: "a=1&a=2&s=%20",
  cookies: ["c1=v1", "c2=v2"],
  headers: {
    host: "id.lambda-url.us-east-1.on.aws",
    "content-type": "text/plain",
    "x-forwarded-proto": "https",
  },
  body: "héllo",
  isBase64Encoded: false,
  requestContext: {
    accountId: "1",
    apiId: "id",
    domainName: "id.lambda-url.us-east-1.on.aws",
    domainPrefix: "id",
    http: { method: "PUT", path: "/mcp", protocol: "HTTP/1.1", sourceIp: "1.2.3.4", userAgent: "t" },
    requestId: "gw-2",
    routeKey: "ANY /mcp",
    stage: "$default",
    time: "",
    timeEpoch: 0,
    authorizer: {
      principalId: "",
      integrationLatency: 0,
      jwt: { claims: { sub: "alice", client_id: "app", exp: 2_000_000_000 }, scopes: ["mcp:tools"] },
    },
  },
};

function albEvent(multi: boolean): ALBEvent {
  const base: ALBEvent = {
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1" } },
    httpMethod: "POST",
    path: "/mcp",
    body: "",
    isBase64Encoded: false,
  };
  const oidc = btoa(JSON.stringify({ sub: "oidc-sub", email: "e@x", exp: 2_000_000_000 })).replace(/=+$/, "");
  if (multi) {
    base.multiValueHeaders = {
      host: ["lb.example"],
      "x-amzn-oidc-identity": ["oidc-sub"],
      "x-amzn-oidc-data": [`h.${oidc}.s`],
      "x-multi": ["a", "b"],
    };
    base.multiValueQueryStringParameters = { q: ["a%20b"], r: ["1", "2"] };
  } else {
    base.headers = {
      host: "lb.example",
      "x-amzn-oidc-identity": "oidc-sub",
      "x-amzn-oidc-data": `h.${oidc}.s`,
    };
    base.queryStringParameters = { q: "a%20b" };
  }
  return base;
}

describe("event kinds", () => {
  it("detects each kind by its shape", () => {
    expect(eventKind(v1Event)).toBe("v1");
    expect(eventKind(v2Event)).toBe("v2");
    expect(eventKind(albEvent(false))).toBe("alb");
    expect(eventKind({ hello: "world" })).toBeUndefined();
  });

  it("REST (1.0): multi-value headers and query, base64 body, base path, authorizer context, cookies", async () => {
    const result = (await handle(echo, { basePath: "/api" })(v1Event, context)) as ApiGatewayV1Result;
    expect(result.statusCode).toBe(200);
    expect(result.multiValueHeaders["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(result.headers["x-one"]).toBe("1");
    const seen = JSON.parse(result.body);
    expect(seen.url).toBe("https://abc.execute-api.us-east-1.amazonaws.com/mcp?q=x%20y&r=1&r=2");
    expect(seen.headers["x-multi"]).toBe("a, b");
    expect(seen.body).toBe('{"a":1}');
    expect(seen.requestId).toBe("req-123");
    expect(seen.hasDeadline).toBe(true);
    expect(seen.auth).toMatchObject({
      subject: "user-7",
      scopes: ["read", "write"],
      extra: { tenant: "t1" },
    });
  });

  it("HTTP API / Function URL (2.0): raw query, cookies in and out, JWT claims", async () => {
    const result = (await handle(echo)(
      v2Event as unknown as APIGatewayProxyEventV2,
      context,
    )) as ApiGatewayV2Result;
    expect(result.cookies).toEqual(["a=1", "b=2"]);
    expect(result.headers["set-cookie"]).toBeUndefined();
    const seen = JSON.parse(result.body);
    expect(seen.method).toBe("PUT");
    expect(seen.url).toBe("https://id.lambda-url.us-east-1.on.aws/mcp?a=1&a=2&s=%20");
    expect(seen.headers.cookie).toBe("c1=v1; c2=v2");
    expect(seen.body).toBe("héllo");
    expect(seen.auth).toMatchObject({
      subject: "alice",
      clientId: "app",
      scopes: ["mcp:tools"],
      expiresAt: 2_000_000_000,
    });
  });

  it("ALB: single- and multi-value modes answer in the event's mode; query kept as sent; OIDC headers ignored", async () => {
    const single = (await handle(echo)(albEvent(false), context)) as AlbResult;
    expect(single.statusDescription).toBe("200 OK");
    expect(single.multiValueHeaders).toBeUndefined();
    expect(single.headers?.["set-cookie"]).toBe("b=2");
    expect(JSON.parse(single.body).url).toBe("https://lb.example/mcp?q=a%20b");
    // Unsigned, they would let any client name itself: `albOidc` of @portico/auth verifies them.
    expect(JSON.parse(single.body).auth).toBeUndefined();
    const multi = (await handle(echo)(albEvent(true), context)) as AlbResult;
    expect(multi.headers).toBeUndefined();
    expect(multi.multiValueHeaders?.["set-cookie"]).toEqual(["a=1", "b=2"]);
    const seen = JSON.parse(multi.body);
    expect(seen.url).toBe("https://lb.example/mcp?q=a%20b&r=1&r=2");
    expect(seen.headers["x-multi"]).toBe("a, b");
  });

  it("binary responses go out base64, text ones as text", async () => {
    const png = {
      fetch: async () =>
        new Response(new Uint8Array([137, 80, 78, 71]), { headers: { "content-type": "image/png" } }),
    };
    const result = (await handle(png)(v2Event, context)) as ApiGatewayV2Result;
    expect(result.isBase64Encoded).toBe(true);
    expect(result.body).toBe(btoa(String.fromCharCode(137, 80, 78, 71)));
    const text = (await handle(echo)(v2Event, context)) as ApiGatewayV2Result;
    expect(text.isBase64Encoded).toBe(false);
  });

  it("a malformed or unknown event gets a 400, never a crash", async () => {
    const h = handle(echo);
    for (const event of [
      null,
      "x",
      [],
      {},
      { version: "2.0", requestContext: { http: {} } },
      { ...v1Event, path: 5 },
    ]) {
      const result = await h(event, context);
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body)).toMatchObject({ error: { code: -32600 } });
    }
    expect(() => toRequest({ nope: true })).toThrow(TypeError);
  });

  it("an app that throws gets a 500 with no detail; an app whose body never ends gets a 504 before the deadline", async () => {
    const errors: unknown[] = [];
    const thrower = {
      fetch: async () => {
        throw new Error("secret detail");
      },
    };
    const r500 = await handle(thrower, { onError: (e) => errors.push(e) })(v2Event, context);
    expect(r500.statusCode).toBe(500);
    expect(r500.body).not.toContain("secret");
    expect(errors).toHaveLength(1);
    const endless = {
      fetch: async () =>
        new Response(new ReadableStream({ pull: () => new Promise(() => {}) }), {
          headers: { "content-type": "text/event-stream" },
        }),
    };
    const short = { awsRequestId: "r", getRemainingTimeInMillis: () => 700 };
    const r504 = await handle(endless, { bodyMarginMs: 500 })(v2Event, short);
    expect(r504.statusCode).toBe(504);
    // ALB's statusDescription is the status code and its reason phrase ("200 OK"), for the
    // adapter's own 504 and the core's 429 too.
    const alb504 = (await handle(endless, { bodyMarginMs: 500 })(albEvent(false), short)) as AlbResult;
    expect(alb504.statusDescription).toBe("504 Gateway Timeout");
    const busy = { fetch: async () => new Response(null, { status: 429 }) };
    expect(((await handle(busy)(albEvent(true), context)) as AlbResult).statusDescription).toBe(
      "429 Too Many Requests",
    );
  });
});

describe("buffered requests", () => {
  it("go to apps that accept them, and see exactly what a real Request shows; other apps get real ones", async () => {
    const kinds: string[] = [];
    const seenBy = (accepts: boolean) => ({
      acceptsBufferedRequests: accepts,
      fetch(request: Request, env?: unknown, ctx?: { requestId?: string }) {
        kinds.push(request instanceof Request ? "real" : "buffered");
        return echo.fetch(request, env, ctx);
      },
    });
    for (const event of [v1Event, v2Event, albEvent(false), albEvent(true)]) {
      const real = (await handle(seenBy(false))(event as never, context)) as { body: string };
      const light = (await handle(seenBy(true))(event as never, context)) as { body: string };
      expect(JSON.parse(light.body)).toStrictEqual(JSON.parse(real.body));
    }
    expect(kinds).toStrictEqual(Array.from({ length: 4 }, () => ["real", "buffered"]).flat());
  });
});
