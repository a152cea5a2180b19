/**
 * What an API's failure answers may put in front of MCP clients: a bounded part of its reason
 * phrase, and no target of a redirect that was refused (that goes to the operator's log). A real
 * HTTP server on 127.0.0.1.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { fromOpenAPI, GET_AS_RESOURCES } from "../src/index.ts";
import { sendWithinOrigin } from "../src/redirects.ts";
import { callTool, handlerOf, request } from "./_mcp.ts";

const INTERNAL = "http://admin.internal.corp:9000";
const LONG_PHRASE = `Upstream billing-svc.internal:8443 failed ${"x".repeat(12_000)}`;

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/api/phrase")) {
      res.statusMessage = LONG_PHRASE;
      res.writeHead(502);
      return res.end();
    }
    if (req.url?.startsWith("/api/short")) {
      res.statusMessage = "Bad Gateway";
      res.writeHead(502, { "content-type": "text/plain" });
      return res.end("try later");
    }
    if (req.url?.startsWith("/api/move")) {
      res.writeHead(302, { location: `${INTERNAL}/secret-path?token=abc` });
      return res.end();
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };

async function serve() {
  const mcp = new McpServer({ name: "leaks", version: "1.0.0" });
  await fromOpenAPI(
    mcp,
    {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {
        "/phrase": { get: { operationId: "phrase", responses: ok } },
        "/short": { get: { operationId: "short", responses: ok } },
        "/move": { get: { operationId: "move", responses: ok } },
      },
    },
    { baseUrl: `${base}/api`, headers: { "x-api-key": "K" } },
  );
  return handlerOf(mcp);
}

describe("the API's reason phrase", () => {
  // Defect: the phrase went to the client whole (12 KB naming an internal host).
  it("is cut to 100 characters in a tool's error", async () => {
    const handler = await serve();
    const result = await callTool(handler, "phrase", {});
    expect(result.isError).toBe(true);
    const text = result.content[0]?.text ?? "";
    expect(text).toBe(`HTTP 502 ${LONG_PHRASE.slice(0, 99)}…`);
    expect(text.length).toBeLessThan(120);
  });

  it("a short phrase and the body excerpt are shown as before", async () => {
    const handler = await serve();
    const result = await callTool(handler, "short", {});
    expect(result.content[0]?.text).toBe("HTTP 502 Bad Gateway: try later");
  });
});

describe("a redirect to another origin", () => {
  // Defect: the client read "…another origin (http://admin.internal.corp:9000), not followed".
  it("is refused without naming the origin to the client", async () => {
    const handler = await serve();
    const result = await callTool(handler, "move", {});
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toBe("GET /move was redirected to another origin, not followed");
    expect(JSON.stringify(result)).not.toContain("internal.corp");
  });

  it("is written to the operator's log with the origin", async () => {
    const warn = vi.fn();
    const outgoing = {
      url: `${base}/api/move`,
      method: "GET",
      headers: new Headers({ "x-api-key": "K" }),
      body: undefined,
      signal: AbortSignal.timeout(5000),
    };
    const answer = await sendWithinOrigin(fetch, outgoing, "GET /move", { warn });
    expect(answer).toBe("GET /move was redirected to another origin, not followed");
    expect(warn).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith("openapi: redirect not followed", {
      operation: "GET /move",
      refused: "other_origin",
      origin: INTERNAL,
    });
  });
});

describe("an API answer that is not a redirect", () => {
  it("writes nothing to the log", async () => {
    const warn = vi.fn();
    const outgoing = {
      url: `${base}/api/short`,
      method: "GET",
      headers: new Headers(),
      body: undefined,
      signal: AbortSignal.timeout(5000),
    };
    const answer = await sendWithinOrigin(fetch, outgoing, "GET /short", { warn });
    expect(answer).toBeInstanceOf(Response);
    await (answer as Response).text();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("a resource read", () => {
  it("fails with a JSON-RPC internal error whose phrase is cut as well", async () => {
    const mcp = new McpServer({ name: "leaks", version: "1.0.0" });
    await fromOpenAPI(
      mcp,
      {
        openapi: "3.0.3",
        info: { title: "t", version: "1" },
        paths: { "/phrase": { get: { operationId: "phrase", responses: ok } } },
      },
      { baseUrl: `${base}/api`, routes: GET_AS_RESOURCES },
    );
    const answer = await request(handlerOf(mcp), "resources/read", { uri: `${base}/api/phrase` });
    expect(answer.error?.code).toBe(-32603);
    expect(answer.error?.message).toBe(`HTTP 502 ${LONG_PHRASE.slice(0, 99)}…`);
  });
});
