/** Test helpers: a local HTTP API, handlers over given stores, and modern/legacy-era callers. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { addTool, createHandler, type McpHandler, McpServer, type Stores } from "@portico/core";
import {
  initializeBody,
  initializedBody,
  type JsonRpcMessage,
  legacyGet,
  legacyPost,
  modernAnswer,
  modernPost,
  readSse,
} from "@portico/test-kit";

export const URL_ = "http://127.0.0.1/mcp";

/** One request the test API received. */
export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface TestApi {
  base: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** A `node:http` server on 127.0.0.1, port 0; `route` answers (default: echoes the request as JSON). */
export async function testApi(
  route?: (seen: Seen, res: ServerResponse) => void | Promise<void>,
): Promise<TestApi> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      const one = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(one);
      if (route) return void route(one, res);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ method: one.method, url: one.url, body: body === "" ? null : JSON.parse(body) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A server with one static tool (so list capabilities exist from the start) and its handler. */
export function testHandler(stores?: Stores): { server: McpServer; handler: McpHandler } {
  const server = new McpServer({ name: "config-test", version: "1.0.0" });
  addTool(server, "static", {}, () => "static");
  const handler = createHandler(server, {
    ...(stores && { stores }),
    secret: "config-tests-secret-with-enough-bytes",
    allowedHosts: ["127.0.0.1"],
    onError: () => {},
  });
  return { server, handler };
}

/** One modern-era (2026-07-28) request; resolves its JSON-RPC answer. */
export function modern(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown> = {},
): Promise<JsonRpcMessage> {
  return modernAnswer((request) => handler.fetch(request), URL_, method, params);
}

/** The names (or URIs) a modern-era list returns. */
export async function listed(
  handler: McpHandler,
  kind: "tools" | "resources" | "prompts",
): Promise<string[]> {
  const answer = await modern(handler, `${kind}/list`);
  if (answer.error?.code === -32601) return []; // no such family yet
  return (answer.result[kind] as { name: string; uri?: string }[]).map((d) => d.uri ?? d.name).sort();
}

/** Waits for the next JSON-RPC message whose method is `method` on an SSE response. */
export async function nextMethod(response: Response, method: string, timeoutMs = 5_000): Promise<void> {
  const signal = AbortSignal.timeout(timeoutMs);
  for await (const event of readSse(response, { signal })) {
    if (event.data.trim() === "") continue;
    if ((JSON.parse(event.data) as { method?: string }).method === method) return;
  }
  throw new Error(`the stream ended without ${method}`);
}

/** A modern-era `subscriptions/listen` stream asking for tools list changes. */
export function listenForTools(handler: McpHandler): Promise<Response> {
  return handler.fetch(
    modernPost(URL_, "subscriptions/listen", { notifications: { toolsListChanged: true } }, { id: "sub-1" }),
  );
}

/** A legacy-era session (2025-11-25) and its standalone GET stream. */
export async function legacyStream(handler: McpHandler): Promise<Response> {
  const init = await handler.fetch(legacyPost(URL_, initializeBody(1)));
  const sessionId = init.headers.get("mcp-session-id");
  if (sessionId === null) throw new Error(`no session (HTTP ${init.status})`);
  await init.body?.cancel();
  const options = { sessionId, protocolVersion: "2025-11-25" };
  await handler.fetch(legacyPost(URL_, initializedBody(), options));
  return handler.fetch(legacyGet(URL_, options));
}

/** Polls `probe` until it holds (or throws its last failure after `timeoutMs`). */
export async function eventually(probe: () => Promise<void> | void, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
