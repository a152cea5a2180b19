/**
 * CORS in a real browser: a page served as `http://app.test:<port>` calls a Portico server reached
 * as `http://mcp.test:<port>/mcp` (both on 127.0.0.1) with `fetch`, in headless Chromium; a page
 * served as `http://evil.test:<port>` cannot.
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Server, serve } from "@portico/adapter-node";
import {
  type Authenticator,
  addTool,
  createHandler,
  type FetchHandler,
  jsonSchema,
  type McpHandler,
  McpServer,
} from "@portico/core";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureChromium, launchChromium } from "../src/chromium.ts";
import { PAGE_HTML, type PageApi } from "../src/page.ts";

const TOKEN = "browser-test-token";

/** What the MCP server answered, as seen on the server side. */
interface Seen {
  method: string;
  path: string;
  origin: string | null;
  status: number;
  cors: Record<string, string>;
}

let pages: HttpServer | undefined;
let mcp: Server | undefined;
let handler: McpHandler | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let definitions: McpServer;
let app: string;
let evil: string;
let endpoint: string;
const seen: Seen[] = [];
const errors: unknown[] = [];

/**
 * Calls `window.portico[name](args)` in the page. A failure is re-thrown without the page's stack
 * frames: vitest would try to source-map `http://app.test:<port>/` as a file and hide the error.
 */
async function call<K extends keyof PageApi>(
  page: Page,
  name: K,
  args?: Parameters<PageApi[K]>[0],
): Promise<Awaited<ReturnType<PageApi[K]>>> {
  try {
    return (await page.evaluate(
      ([fn, a]) =>
        (window as unknown as { portico: Record<string, (x: unknown) => unknown> }).portico[fn]!(a),
      [name, args] as const,
    )) as Awaited<ReturnType<PageApi[K]>>;
  } catch (error) {
    const lines = String(error instanceof Error ? error.message : error).split("\n");
    throw new Error(
      `portico.${name} failed in the page: ${lines.filter((l) => !/^\s+at /.test(l)).join("\n")}`,
    );
  }
}

async function open(origin: string): Promise<Page> {
  const page = await context!.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${origin}/`);
  return page;
}

function corsOf(response: Response): Record<string, string> {
  return Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("access-control-")));
}

beforeAll(async () => {
  ensureChromium();
  pages = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(PAGE_HTML);
  });
  await new Promise<void>((resolve) => pages!.listen(0, "127.0.0.1", resolve));
  const pagePort = (pages.address() as AddressInfo).port;
  app = `http://app.test:${pagePort}`;
  evil = `http://evil.test:${pagePort}`;

  definitions = new McpServer({ name: "browser-test", version: "1.0.0" });
  const numbers = jsonSchema<{ a: number; b: number }>({
    type: "object",
    properties: { a: { type: "number" }, b: { type: "number" } },
    required: ["a", "b"],
  });
  addTool(definitions, "add", { description: "Adds two numbers", input: numbers }, ({ a, b }) =>
    String(a + b),
  );
  let metadataUrl = "";
  const auth: Authenticator = {
    serve: (request) =>
      new URL(request.url).pathname === "/.well-known/oauth-protected-resource"
        ? Response.json({ resource: endpoint, authorization_servers: ["https://login.example.com"] })
        : undefined,
    authenticate: (request) =>
      request.headers.get("authorization") === `Bearer ${TOKEN}`
        ? { subject: "browser-user", token: TOKEN }
        : new Response(
            JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "Unauthorized" } }),
            {
              status: 401,
              headers: {
                "content-type": "application/json",
                "www-authenticate": `Bearer resource_metadata="${metadataUrl}"`,
              },
            },
          ),
  };
  handler = createHandler(definitions, {
    allowedOrigins: [app],
    allowedHosts: ["mcp.test"],
    auth,
    keepAliveMs: 0,
    onError: (error) => errors.push(error),
  });
  const recording: FetchHandler = {
    async fetch(request, env, ctx) {
      const response = await handler!.fetch(request, env, ctx);
      seen.push({
        method: request.method,
        path: new URL(request.url).pathname,
        origin: request.headers.get("origin"),
        status: response.status,
        cors: corsOf(response),
      });
      return response;
    },
  };
  mcp = await serve(recording, { port: 0, hostname: "127.0.0.1", gracefulTimeoutMs: 2_000 });
  endpoint = `http://mcp.test:${mcp.port}/mcp`;
  metadataUrl = `http://mcp.test:${mcp.port}/.well-known/oauth-protected-resource`;

  browser = await launchChromium();
  context = await browser.newContext();
}, 600_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close().catch(() => {});
  handler?.close();
  await mcp?.close();
  if (pages !== undefined) {
    pages.closeAllConnections();
    await new Promise<void>((resolve) => pages!.close(() => resolve()));
  }
}, 30_000);

describe("a page on an allowed origin", () => {
  let page: Page;
  beforeAll(async () => {
    page = await open(app);
  });

  it("initializes a legacy session, reads Mcp-Session-Id and calls a tool in it", async () => {
    const result = await call(page, "legacy", { url: endpoint, token: TOKEN });
    expect(result.initStatus).toBe(200);
    expect(result.sessionId).toMatch(/^[\x21-\x7e]+$/);
    expect(result.protocolVersion).toBe("2025-11-25");
    expect(result.initializedStatus).toBe(202);
    expect(result.callStatus).toBe(200);
    expect(result.call).toMatchObject({ id: 2, result: { content: [{ type: "text", text: "5" }] } });
    // The browser preflighted (Authorization, Content-Type, Mcp-*), was answered, then sent the calls.
    const preflights = seen.filter((s) => s.method === "OPTIONS" && s.origin === app);
    expect(preflights.length).toBeGreaterThan(0);
    expect(preflights.every((s) => s.status === 204)).toBe(true);
    const answers = seen.filter((s) => s.method === "POST" && s.origin === app);
    expect(answers.length).toBe(3);
    for (const answer of answers) {
      expect(answer.cors["access-control-allow-origin"]).toBe(app);
      expect(answer.cors["access-control-allow-credentials"]).toBeUndefined();
    }
  });

  it("reads a server notification on the session's GET stream", async () => {
    const opened = await call(page, "openStream", {
      url: endpoint,
      until: "notifications/tools/list_changed",
    });
    expect(opened.status).toBe(200);
    expect(opened.contentType).toContain("text/event-stream");
    addTool(definitions, "late", { description: "Added while the page listens" }, () => "late");
    const text = await call(page, "streamed");
    expect(text).toContain('"method":"notifications/tools/list_changed"');
  });

  it("calls a tool in the modern era with the Mcp-* headers and Authorization", async () => {
    const result = await call(page, "modern", { url: endpoint, token: TOKEN });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      id: 7,
      result: { resultType: "complete", content: [{ type: "text", text: "42" }] },
    });
  });

  it("reads a 401's WWW-Authenticate and the metadata it points at", async () => {
    const result = await call(page, "unauthorized", { url: endpoint });
    expect(result.status).toBe(401);
    expect(result.wwwAuthenticate).toContain("resource_metadata=");
    expect(result.metadataStatus).toBe(200);
    expect(result.metadata).toMatchObject({ resource: endpoint });
  });
});

describe("a page on a refused origin", () => {
  let page: Page;
  beforeAll(async () => {
    page = await open(evil);
  });

  it("fails its preflighted fetch with a TypeError; the refused preflight carried no CORS header", async () => {
    const result = await call(page, "attempt", { url: endpoint, simple: false });
    expect(result).toMatchObject({ ok: false, error: "TypeError" });
    const fromEvil = seen.filter((s) => s.origin === evil);
    expect(fromEvil.map((s) => [s.method, s.status])).toEqual([["OPTIONS", 403]]);
    expect(fromEvil[0]!.cors).toEqual({});
  });

  it("fails a simple (unpreflighted) fetch too: the 403 it got carries no CORS header", async () => {
    const result = await call(page, "attempt", { url: endpoint, simple: true });
    expect(result).toMatchObject({ ok: false, error: "TypeError" });
    const posts = seen.filter((s) => s.origin === evil && s.method === "POST");
    expect(posts.map((s) => s.status)).toEqual([403]);
    expect(posts[0]!.cors).toEqual({});
  });
});
