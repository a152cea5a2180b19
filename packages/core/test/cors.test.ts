/**
 * CORS: preflights answered before authentication, and the allowed origin, exposed headers and
 * `Vary: Origin` on every answer to an admitted cross-origin `Origin` — and nothing otherwise.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Authenticator,
  addTool,
  createHandler,
  type ExecutionContextLike,
  type HandlerOptions,
  McpServer,
  readBufferedResponse,
} from "../src/index.ts";
import { modernRequest, read } from "./_client.ts";
import { ACCEPT_BOTH } from "./_requests.ts";

const URL_ = "http://127.0.0.1/mcp";
const APP = "https://app.example.com";
const EVIL = "https://evil.example.com";
const EXPOSED = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After";

function server(): McpServer {
  const s = new McpServer({ name: "t", version: "1.0.0" });
  addTool(s, "add", { description: "Add", input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) =>
    String(a + b),
  );
  addTool(s, "prog", { description: "Progress" }, async (_a, ctx) => {
    await ctx.progress(1, 2);
    return "done";
  });
  return s;
}

function handler(options: HandlerOptions = {}) {
  return createHandler(server(), { allowedOrigins: [APP], keepAliveMs: 0, ...options });
}

/** Every `access-control-*` header of a response, by name. */
function corsHeaders(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("access-control-")));
}

function expectCors(response: Response, origin = APP): void {
  expect(response.headers.get("access-control-allow-origin")).toBe(origin);
  expect(response.headers.get("access-control-expose-headers")).toBe(EXPOSED);
  expect(response.headers.get("vary")).toBe("Origin");
  expect(response.headers.has("access-control-allow-credentials")).toBe(false);
}

function preflight(origin: string, requestHeaders?: string, url = URL_): Request {
  return new Request(url, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      ...(requestHeaders === undefined ? {} : { "access-control-request-headers": requestHeaders }),
    },
  });
}

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH, ...headers },
    body: JSON.stringify(body),
  });
}

const initialize = (headers: Record<string, string> = {}) =>
  post(
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
    },
    headers,
  );

/** Refuses every request without `Authorization: Bearer good`, as an OAuth resource server would. */
const bearer: HandlerOptions["authenticate"] = (request) =>
  request.headers.get("authorization") === "Bearer good"
    ? { subject: "u", token: "good" }
    : new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "no" } }), {
        status: 401,
        headers: { "content-type": "application/json", "www-authenticate": 'Bearer realm="mcp"' },
      });

describe("CORS preflight", () => {
  it("answers an allowed origin with 204, the methods and the requested MCP headers, before authentication", async () => {
    let authenticated = 0;
    const h = handler({
      authenticate: (request) => {
        authenticated++;
        return bearer!(request, {});
      },
    });
    const response = await h.fetch(
      preflight(
        APP,
        "authorization,content-type,accept,last-event-id,mcp-session-id,mcp-protocol-version,mcp-method,mcp-name,mcp-param-region",
      ),
    );
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({
      "access-control-allow-origin": APP,
      "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
      "access-control-allow-headers":
        "authorization, content-type, accept, last-event-id, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, mcp-param-region",
      "access-control-max-age": "7200",
    });
    expect(response.headers.get("vary")).toBe(
      "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    );
    expect(authenticated).toBe(0);
  });

  it("allows a traced client's trace context and baggage", async () => {
    const response = await handler().fetch(preflight(APP, "content-type, traceparent, tracestate, baggage"));
    expect(response.headers.get("access-control-allow-headers")).toBe(
      "content-type, traceparent, tracestate, baggage",
    );
  });

  it("allows only the requested headers MCP uses", async () => {
    const response = await handler().fetch(
      preflight(APP, "X-Custom, Content-Type, Mcp-Param-, Cookie, MCP-Param-Tenant-Id, Mcp-Session-Id"),
    );
    expect(response.headers.get("access-control-allow-headers")).toBe(
      "content-type, mcp-param-tenant-id, mcp-session-id",
    );
    const bare = await handler().fetch(preflight(APP));
    expect(bare.status).toBe(204);
    expect(bare.headers.has("access-control-allow-headers")).toBe(false);
  });

  it("refuses an origin the check refuses, with a 403 that carries no CORS header", async () => {
    const response = await handler({ onError: () => {} }).fetch(preflight(EVIL, "content-type"));
    expect(response.status).toBe(403);
    expect(corsHeaders(response)).toEqual({});
    expect(response.headers.has("vary")).toBe(false);
  });

  it("refuses an allowed origin on a refused Host (no CORS on the 403)", async () => {
    const response = await handler({ onError: () => {} }).fetch(
      preflight(APP, "content-type", "http://rebound.example.net/mcp"),
    );
    expect(response.status).toBe(403);
    expect(corsHeaders(response)).toEqual({});
  });

  it("answers localhost origins on another port (a local dev page)", async () => {
    const response = await handler({ allowedOrigins: [] }).fetch(
      preflight("http://localhost:5173", "content-type", "http://localhost:3000/mcp"),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
  });

  it("reflects the origin with allowedOrigins ['*'], never answering *", async () => {
    const response = await handler({ allowedOrigins: ["*"] }).fetch(preflight(EVIL, "content-type"));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(EVIL);
  });

  it("leaves a plain OPTIONS (no Access-Control-Request-Method) to the handler", async () => {
    const response = await handler().fetch(
      new Request(URL_, { method: "OPTIONS", headers: { origin: APP } }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("allow")).toBe("GET, POST, DELETE, OPTIONS");
    expectCors(response);
    expect(response.headers.has("access-control-allow-methods")).toBe(false);
  });
});

describe("CORS on actual answers", () => {
  it("legacy: initialize exposes Mcp-Session-Id, and calls in the session carry CORS (real and buffered)", async () => {
    for (const ctx of [{}, { bufferedResponses: true }] satisfies ExecutionContextLike[]) {
      const h = handler();
      const init = await h.fetch(initialize({ origin: APP }), undefined, ctx);
      expect(init.status).toBe(200);
      expectCors(init);
      if (ctx.bufferedResponses === true) {
        const taken = readBufferedResponse(init);
        const headers = new Headers(taken?.headers);
        expect(headers.get("access-control-allow-origin")).toBe(APP);
      }
      const sid = init.headers.get("mcp-session-id")!;
      expect(sid).toBeTruthy();
      const call = await h.fetch(
        post(
          { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 2 } } },
          { origin: APP, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" },
        ),
        undefined,
        ctx,
      );
      expectCors(call);
      expect((await read(call)).final).toMatchObject({ result: { content: [{ text: "3" }] } });
    }
  });

  it("modern: a tools/call with the Mcp-* headers and Authorization", async () => {
    const h = handler({ authenticate: bearer });
    const response = await h.fetch(
      modernRequest(
        "tools/call",
        { name: "add", arguments: { a: 2, b: 2 } },
        { headers: { origin: APP, authorization: "Bearer good" } },
      ),
    );
    expectCors(response);
    expect((await read(response)).final).toMatchObject({ result: { content: [{ text: "4" }] } });
  });

  it("JSON-RPC and HTTP errors carry CORS", async () => {
    const h = handler();
    const unknown = await h.fetch(
      post(
        { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} },
        { origin: APP, "mcp-session-id": "nope", "mcp-protocol-version": "2025-11-25" },
      ),
    );
    expect(unknown.status).toBe(404);
    expectCors(unknown);
    const parse = await h.fetch(
      new Request(URL_, {
        method: "POST",
        headers: { origin: APP, "content-type": "application/json", accept: ACCEPT_BOTH },
        body: "{",
      }),
    );
    expect(parse.status).toBe(400);
    expectCors(parse);
    const notAcceptable = await h.fetch(post({}, { origin: APP, accept: "text/html" }));
    expect(notAcceptable.status).toBe(406);
    expectCors(notAcceptable);
    const method = await h.fetch(new Request(URL_, { method: "PUT", headers: { origin: APP } }));
    expect(method.status).toBe(405);
    expectCors(method);
  });

  it("SSE answers and the GET stream carry CORS before their body streams", async () => {
    const s = server();
    const h = createHandler(s, { allowedOrigins: [APP], keepAliveMs: 0 });
    const init = await h.fetch(initialize({ origin: APP }));
    const sid = init.headers.get("mcp-session-id")!;
    const session = { origin: APP, "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
    const prog = await h.fetch(
      post(
        {
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "prog", _meta: { progressToken: "p" } },
        },
        session,
      ),
    );
    expect(prog.headers.get("content-type")).toContain("text/event-stream");
    expectCors(prog);
    expect(await prog.text()).toContain("notifications/progress");

    const stream = await h.fetch(new Request(URL_, { headers: { ...session, accept: "text/event-stream" } }));
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    expectCors(stream);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    addTool(s, "late", { description: "Late" }, () => "late");
    while (!text.includes("tools/list_changed")) text += decoder.decode((await reader.read()).value);
    await reader.cancel();
  });

  it("an authenticator's 401 exposes WWW-Authenticate", async () => {
    const response = await handler({ authenticate: bearer }).fetch(initialize({ origin: APP }));
    expect(response.status).toBe(401);
    expectCors(response);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="mcp"');
  });

  it("the catch-all 500 carries CORS", async () => {
    const response = await handler({
      onError: () => {},
      authenticate: () => {
        throw new Error("boom");
      },
    }).fetch(initialize({ origin: APP }));
    expect(response.status).toBe(500);
    expectCors(response);
  });

  it("merges Vary and Access-Control-Expose-Headers with the response's own", async () => {
    const auth: Authenticator = {
      serve: () =>
        new Response("{}", {
          headers: { vary: "Accept-Encoding", "access-control-expose-headers": "X-Trace, mcp-session-id" },
        }),
      authenticate: () => undefined,
    };
    const response = await handler({ auth }).fetch(new Request(URL_, { headers: { origin: APP } }));
    expect(response.headers.get("vary")).toBe("Accept-Encoding, Origin");
    expect(response.headers.get("access-control-expose-headers")).toBe(
      "X-Trace, mcp-session-id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After",
    );
    const star = await handler({
      auth: { serve: () => new Response("{}", { headers: { vary: "*" } }), authenticate: () => undefined },
    }).fetch(new Request(URL_, { headers: { origin: APP } }));
    expect(star.headers.get("vary")).toBe("*");
  });
});

describe("CORS on responses with immutable headers", () => {
  let upstream: Server;
  let base: string;
  beforeAll(async () => {
    upstream = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", vary: "Accept" });
      res.end(JSON.stringify({ resource: "https://mcp.example.com/mcp" }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => upstream.close(() => resolve())));

  it("rebuilds a fetch() response (Protected Resource Metadata served by an authenticator), body intact", async () => {
    const auth: Authenticator = {
      serve: async (request) =>
        new URL(request.url).pathname === "/.well-known/oauth-protected-resource"
          ? await fetch(`${base}/prm`)
          : undefined,
      authenticate: () => undefined,
    };
    const response = await handler({ auth }).fetch(
      new Request("http://127.0.0.1/.well-known/oauth-protected-resource", { headers: { origin: APP } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(response.headers.get("vary")).toBe("Accept, Origin");
    expect(await response.json()).toEqual({ resource: "https://mcp.example.com/mcp" });
  });

  it("rebuilds a Response.redirect()", async () => {
    const auth: Authenticator = {
      serve: () => Response.redirect("https://login.example.com/", 302),
      authenticate: () => undefined,
    };
    const response = await handler({ auth }).fetch(new Request(URL_, { headers: { origin: APP } }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://login.example.com/");
    expectCors(response);
  });
});

describe("no CORS", () => {
  it("without Origin: no CORS header and no Vary, on answers and preflight-like OPTIONS", async () => {
    const h = handler();
    const init = await h.fetch(initialize());
    expect(init.status).toBe(200);
    expect(corsHeaders(init)).toEqual({});
    expect(init.headers.has("vary")).toBe(false);
    const options = await h.fetch(
      new Request(URL_, { method: "OPTIONS", headers: { "access-control-request-method": "POST" } }),
    );
    expect(options.headers.get("allow")).toBe("GET, POST, DELETE, OPTIONS");
    expect(corsHeaders(options)).toEqual({});
  });

  it("for a refused origin's actual request (403)", async () => {
    const response = await handler({ onError: () => {} }).fetch(initialize({ origin: EVIL }));
    expect(response.status).toBe(403);
    expect(corsHeaders(response)).toEqual({});
  });

  it("for a same-origin request", async () => {
    const h = createHandler(server(), { allowedHosts: ["mcp.example.com"] });
    const response = await h.fetch(
      new Request("https://mcp.example.com/mcp", {
        method: "POST",
        headers: {
          origin: "https://mcp.example.com",
          "content-type": "application/json",
          accept: ACCEPT_BOTH,
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-11-25",
            capabilities: {},
            clientInfo: { name: "c", version: "1" },
          },
        }),
      }),
    );
    expect(response.status).toBe(200);
    expect(corsHeaders(response)).toEqual({});
  });
});
