/**
 * Header text the front doors really send, and headers an app gets wrong: a value with characters
 * above U+00FF (a CDN's `cf-ipcity: Łódź`, a UTF-8 cookie) reaches the app as its UTF-8 bytes (as
 * Node's http hands them over) instead of failing the request with 400; repeated `Cookie` values are
 * joined with "; " (RFC 6265) on every front door; an SVG body goes out as text; and a buffered
 * answer whose headers `Headers` would refuse gets streamHandle's 500, as it gets handle()'s.
 */
import { addTool, createHandler, McpServer, RefusedError } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { handle, streamHandle, toEvent } from "../src/index.ts";
import { FakeResponseStream, installFakeRuntime, type StreamingHandler } from "./_fake-runtime.ts";

installFakeRuntime();

const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 60_000 };
/** What the app saw: its headers, as the platform's `Headers` gives them. */
const seen = {
  fetch: async (request: Request) => Response.json({ headers: Object.fromEntries(request.headers) }),
};
/** The bytes of `text` in UTF-8, one character each (what a server reading the wire hands over). */
const wireText = (text: string) => String.fromCharCode(...new TextEncoder().encode(text));
const headersSeen = async (event: unknown) => {
  const result = (await handle(seen)(event, context)) as { statusCode: number; body: string };
  expect(result.statusCode).toBe(200);
  return (JSON.parse(result.body) as { headers: Record<string, string> }).headers;
};

const v2 = (headers: Record<string, string>, cookies?: string[]) => ({
  version: "2.0",
  rawPath: "/mcp",
  rawQueryString: "",
  headers: { host: "id.lambda-url.us-east-1.on.aws", ...headers },
  ...(cookies ? { cookies } : {}),
  requestContext: {
    domainName: "id.lambda-url.us-east-1.on.aws",
    http: { method: "GET", sourceIp: "192.0.2.1" },
  },
  isBase64Encoded: false,
});
const v1 = (multiValueHeaders: Record<string, string[]>) => ({
  resource: "/{proxy+}",
  path: "/mcp",
  httpMethod: "GET",
  headers: {},
  multiValueHeaders: { Host: ["abc.execute-api.us-east-1.amazonaws.com"], ...multiValueHeaders },
  requestContext: {
    domainName: "abc.execute-api.us-east-1.amazonaws.com",
    identity: { sourceIp: "192.0.2.1" },
  },
  isBase64Encoded: false,
  body: null,
});
const alb = (multiValueHeaders: Record<string, string[]>) => ({
  requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1" } },
  httpMethod: "GET",
  path: "/mcp",
  multiValueHeaders: { host: ["localhost"], ...multiValueHeaders },
  isBase64Encoded: false,
  body: "",
});

describe("request headers as the front doors send them", () => {
  it("passes a value with characters above U+00FF on as its UTF-8 bytes, on every front door", async () => {
    expect((await headersSeen(v2({ "cf-ipcity": "Łódź" })))["cf-ipcity"]).toBe(wireText("Łódź"));
    expect((await headersSeen(v1({ "cf-ipcity": ["Łódź"] })))["cf-ipcity"]).toBe(wireText("Łódź"));
    expect((await headersSeen(alb({ "user-agent": ["東京 client"] })))["user-agent"]).toBe(
      wireText("東京 client"),
    );
    // Latin-1 text stays as it is (each character is one byte already).
    expect((await headersSeen(v2({ "cf-ipcity": "Zürich" })))["cf-ipcity"]).toBe("Zürich");
    // A v2 event's cookies too.
    expect((await headersSeen(v2({}, ["theme=dark", "name=Łukasz"]))).cookie).toBe(
      wireText("theme=dark; name=Łukasz"),
    );
  });

  it("joins repeated Cookie values with '; ', as the v2 cookies are", async () => {
    expect((await headersSeen(v1({ Cookie: ["a=1", "b=2"] }))).cookie).toBe("a=1; b=2");
    expect((await headersSeen(alb({ cookie: ["a=1", "b=2"] }))).cookie).toBe("a=1; b=2");
    expect((await headersSeen(v2({}, ["a=1", "b=2"]))).cookie).toBe("a=1; b=2");
    // Other repeated headers keep ", ".
    expect((await headersSeen(v1({ "X-Multi": ["a", "b"] })))["x-multi"]).toBe("a, b");
  });

  it("still refuses a value no header may carry (CR/LF) with a 400", async () => {
    const result = (await handle(seen)(v2({ "x-bad": "a\r\nset-cookie: x=1" }), context)) as {
      statusCode: number;
    };
    expect(result.statusCode).toBe(400);
  });
});

describe("response bodies and headers", () => {
  it("sends an SVG body (image/svg+xml) as text", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"/>';
    const app = { fetch: async () => new Response(svg, { headers: { "content-type": "image/svg+xml" } }) };
    const result = (await handle(app)(v2({}), context)) as { body: string; isBase64Encoded: boolean };
    expect(result.isBase64Encoded).toBe(false);
    expect(result.body).toBe(svg);
  });

  it("answers a buffered answer with headers Headers would refuse with 500 under streamHandle, as under handle()", async () => {
    const server = new McpServer({ name: "h", version: "1" });
    let who = "";
    addTool(server, "limited", {}, () => {
      throw new RefusedError(429, -32000, "slow down", { headers: { "x-limited-user": who } });
    });
    for (who of ["a\r\nset-cookie: x=1", "名前"]) {
      const errors: unknown[] = [];
      const app = createHandler(server, { onError: () => {} });
      const event = await toEvent(
        modernPost("https://id.lambda-url.us-east-1.on.aws/mcp", "tools/call", {
          name: "limited",
          arguments: {},
        }),
        "v2",
      );
      const buffered = (await handle(app, { onError: (e) => errors.push(e) })(event, context)) as {
        statusCode: number;
      };
      expect(buffered.statusCode, who).toBe(500);
      const sink = new FakeResponseStream();
      const streamed = streamHandle(app, { onError: (e) => errors.push(e) }) as StreamingHandler;
      await streamed(event, sink, context);
      const { prelude, body } = sink.received();
      expect(prelude?.statusCode, who).toBe(500);
      expect(JSON.parse(body).error.code).toBe(-32603);
      expect(body).not.toContain("set-cookie");
      expect(errors).toHaveLength(2);
      expect(sink.writableEnded).toBe(true);
    }
  });
});
