/**
 * `ctx.clientAddress`: the `sourceIp` API Gateway (REST: `requestContext.identity.sourceIp`; HTTP
 * API: `requestContext.http.sourceIp`) and Function URLs (`requestContext.http.sourceIp`) record,
 * never a header; none for ALB events, whose `X-Forwarded-For` the event cannot vouch for. The dev
 * server puts the request's TCP peer into the event.
 */
import type { ALBEvent, APIGatewayProxyEvent } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { installAwslambda, serveLambda } from "../src/dev/index.ts";
import {
  type EventKind,
  type ExecutionContextLike,
  type FetchApp,
  fromResult,
  handle,
  streamHandle,
  toEvent,
} from "../src/index.ts";

/** Answers with the `ctx.clientAddress` it was given (`null` when unset). */
const echo: FetchApp = {
  fetch: (_request: Request, _env?: unknown, ctx?: ExecutionContextLike) =>
    Response.json({ clientAddress: ctx?.clientAddress ?? null }),
};
const context = { awsRequestId: "req-address", getRemainingTimeInMillis: () => 30_000 };

const API = "abc123.execute-api.us-east-1.amazonaws.com";
const FUNCTION_URL = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws";
/** What a client may write into headers; none of it may become the address. */
const SPOOFED = { "x-forwarded-for": "198.51.100.66", "x-real-ip": "198.51.100.66" };

async function seen(event: unknown): Promise<unknown> {
  const response = fromResult(await handle(echo)(event, context));
  return ((await response.json()) as { clientAddress: unknown }).clientAddress;
}

describe("handle(): the event's sourceIp", () => {
  for (const [kind, host, where] of [
    ["v1", API, "REST API: requestContext.identity.sourceIp"],
    ["v2", API, "HTTP API: requestContext.http.sourceIp"],
    ["v2", FUNCTION_URL, "Function URL: requestContext.http.sourceIp"],
  ] as const) {
    it(`${where}, whatever X-Forwarded-For says`, async () => {
      const request = new Request(`https://${host}/mcp`, { headers: SPOOFED });
      const event = await toEvent(request, kind, { sourceIp: "203.0.113.7" });
      expect(await seen(event)).toBe("203.0.113.7");
      const v6 = await toEvent(new Request(`https://${host}/mcp`), kind, { sourceIp: "2001:db8::7" });
      expect(await seen(v6)).toBe("2001:db8::7");
    });
  }

  it("a REST API event as API Gateway sends it", async () => {
    const event = {
      resource: "/{proxy+}",
      path: "/mcp",
      httpMethod: "GET",
      headers: { Host: API, "X-Forwarded-For": "198.51.100.66, 203.0.113.7" },
      multiValueHeaders: { Host: [API], "X-Forwarded-For": ["198.51.100.66, 203.0.113.7"] },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        accountId: "1",
        apiId: "abc123",
        authorizer: undefined,
        protocol: "HTTP/1.1",
        httpMethod: "GET",
        identity: { sourceIp: "203.0.113.7" } as APIGatewayProxyEvent["requestContext"]["identity"],
        path: "/prod/mcp",
        stage: "prod",
        requestId: "gw-1",
        requestTimeEpoch: 0,
        resourceId: "r",
        resourcePath: "/{proxy+}",
        domainName: API,
      },
    } satisfies APIGatewayProxyEvent;
    expect(await seen(event)).toBe("203.0.113.7");
  });

  it("no sourceIp, an empty one or one that is not a string: no address", async () => {
    const v2 = (await toEvent(new Request(`https://${API}/mcp`), "v2")) as {
      requestContext: { http: { sourceIp?: unknown } };
    };
    for (const bad of [undefined, "", 42, null]) {
      v2.requestContext.http.sourceIp = bad;
      expect(await seen(v2), String(bad)).toBeNull();
    }
    const v1 = (await toEvent(new Request(`https://${API}/mcp`), "v1")) as {
      requestContext: { identity?: unknown };
    };
    delete v1.requestContext.identity;
    expect(await seen(v1)).toBeNull();
    // The API Gateway console's test invocations name no address; passed on as is.
    v2.requestContext.http.sourceIp = "test-invoke-source-ip";
    expect(await seen(v2)).toBe("test-invoke-source-ip");
  });

  it("ALB: none, also with an X-Forwarded-For (the event does not say the ALB appended to it)", async () => {
    const event: ALBEvent = {
      requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1" } },
      httpMethod: "GET",
      path: "/mcp",
      headers: { host: "lb.example", "x-forwarded-for": "198.51.100.66, 203.0.113.7" },
      body: "",
      isBase64Encoded: false,
    };
    expect(await seen(event)).toBeNull();
    expect(
      await seen({ ...event, headers: undefined, multiValueHeaders: { host: ["lb.example"] } }),
    ).toBeNull();
  });
});

describe("the dev server: the request's TCP peer as the event's sourceIp", () => {
  installAwslambda();

  async function viaDevServer(handler: unknown, kind: EventKind, hostname = "127.0.0.1"): Promise<unknown> {
    let server: Awaited<ReturnType<typeof serveLambda>>;
    try {
      server = await serveLambda(handler, { port: 0, hostname, kind });
    } catch {
      return undefined; // no IPv6 on this machine
    }
    try {
      const response = await fetch(`${server.url}/mcp`, { headers: SPOOFED });
      return ((await response.json()) as { clientAddress: unknown }).clientAddress;
    } finally {
      await server.close();
    }
  }

  for (const kind of ["v1", "v2"] as const) {
    it(`${kind}, handle() and streamHandle(): 127.0.0.1, whatever X-Forwarded-For says`, async () => {
      expect(await viaDevServer(handle(echo), kind)).toBe("127.0.0.1");
      expect(await viaDevServer(streamHandle(echo), kind)).toBe("127.0.0.1");
    });
  }

  it("ALB events: none, as deployed", async () => {
    expect(await viaDevServer(handle(echo), "alb")).toBeNull();
  });

  it("an IPv6 peer as is", async (t) => {
    const address = await viaDevServer(handle(echo), "v2", "::1");
    if (address === undefined) return t.skip();
    expect(address).toBe("::1");
  });
});
