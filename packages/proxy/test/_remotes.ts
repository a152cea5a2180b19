/**
 * Real upstream servers for the tests: the official SDK v1 (stateful Streamable HTTP sessions on
 * node:http) and SDK v2 (`createMcpHandler`, 2026-07-28 stateless with a stateless legacy
 * fallback), both serving the same small set: tools `add` (structured output), `fail` (an error
 * result), `slow`, resource `note://a`, template `note://{id}`, prompt `greet`.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  McpServer as McpServerV1,
  ResourceTemplate as TemplateV1,
} from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  createMcpHandler,
  type McpHttpHandler,
  McpServer as McpServerV2,
  ResourceTemplate as TemplateV2,
} from "@modelcontextprotocol/server";
import { z } from "zod";

/** One HTTP request the upstream received. */
export interface Seen {
  httpMethod: string;
  /** The JSON-RPC method, for POSTs. */
  method: string | undefined;
  headers: Headers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const ADD_INPUT = { a: z.number().describe("first"), b: z.number() };
export const ADD_OUTPUT = { sum: z.number() };

function defineV1(server: McpServerV1): void {
  server.registerTool(
    "add",
    {
      title: "Add",
      description: "Adds two numbers",
      inputSchema: ADD_INPUT,
      outputSchema: ADD_OUTPUT,
      annotations: { readOnlyHint: true },
    },
    async ({ a, b }) => ({
      content: [{ type: "text", text: String(a + b) }],
      structuredContent: { sum: a + b },
    }),
  );
  server.registerTool("fail", { description: "Always fails" }, async () => ({
    content: [{ type: "text", text: "intentional failure" }],
    isError: true,
  }));
  server.registerTool("slow", { inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await sleep(ms);
    return { content: [{ type: "text", text: `slept ${ms}` }] };
  });
  server.registerResource(
    "note-a",
    "note://a",
    { mimeType: "text/plain", description: "Note A" },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: "text/plain", text: "hello from a" }],
    }),
  );
  server.registerResource(
    "notes",
    new TemplateV1("note://{id}", { list: undefined }),
    { description: "Any note" },
    async (uri, { id }) => ({ contents: [{ uri: uri.href, text: `note ${String(id)}` }] }),
  );
  server.registerPrompt(
    "greet",
    { description: "Greets someone", argsSchema: { name: z.string() } },
    ({ name }) => ({ messages: [{ role: "user", content: { type: "text", text: `Hello, ${name}!` } }] }),
  );
}

export interface RemoteV1 {
  url: string;
  seen: Seen[];
  /** Forgets every session, as a restarted server would. */
  expireSessions(): void;
  close(): Promise<void>;
}

/**
 * SDK v1: a stateful Streamable HTTP server (a transport and a server per session); `more` adds
 * definitions, `before` sees each request (with its session's server) before the SDK handles it.
 */
export async function startV1(
  more?: (server: McpServerV1) => void,
  before?: (request: Seen, server: McpServerV1 | undefined) => void,
): Promise<RemoteV1> {
  const servers = new Map<StreamableHTTPServerTransport, McpServerV1>();
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const seen: Seen[] = [];
  const http: Server = createServer(async (req, res) => {
    let body: unknown;
    if (req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    }
    const method = (body as { method?: string } | undefined)?.method;
    const entry: Seen = { httpMethod: req.method ?? "", method, headers: toHeaders(req.headers) };
    seen.push(entry);
    const sessionId = req.headers["mcp-session-id"];
    let transport = typeof sessionId === "string" ? transports.get(sessionId) : undefined;
    if (transport === undefined) {
      if (typeof sessionId === "string") {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32001, message: "Session not found" } }),
        );
        return;
      }
      if (method !== "initialize") {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: "No session" } }));
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, created);
        },
      });
      created.onclose = () => {
        if (created.sessionId !== undefined) transports.delete(created.sessionId);
      };
      const server = new McpServerV1({ name: "remote-v1", version: "1.0.0" });
      defineV1(server);
      more?.(server);
      await server.connect(created);
      servers.set(created, server);
      transport = created;
    }
    before?.(entry, servers.get(transport));
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    seen,
    expireSessions: () => transports.clear(),
    close: async () => {
      for (const t of transports.values()) await t.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

export interface RemoteV2 {
  /** A `fetch` reaching the SDK v2 handler in process (records each request). */
  fetch: typeof fetch;
  seen: Seen[];
  /** Whether the server also offers tool `extra` (for refresh tests). */
  extra: boolean;
  /** Publishes change events to the open `subscriptions/listen` streams. */
  notify: McpHttpHandler["notify"];
  /**
   * Restarts the server: the handler is closed, which ends its open `subscriptions/listen` streams
   * with their final result, and a new one (sharing the event bus) serves later requests.
   */
  restart(): Promise<void>;
}

/** SDK v2: `createMcpHandler`, a fresh server per request; `more` adds definitions. */
export function startV2(more?: (server: McpServerV2) => void): RemoteV2 {
  const remote: RemoteV2 = {
    fetch: undefined as unknown as typeof fetch,
    seen: [],
    extra: false,
    notify: undefined as unknown as RemoteV2["notify"],
    restart: async () => {},
  };
  const factory = () => {
    const server = new McpServerV2({ name: "remote-v2", version: "2.0.0" });
    server.registerTool(
      "add",
      {
        title: "Add",
        description: "Adds two numbers",
        inputSchema: z.object(ADD_INPUT),
        outputSchema: z.object(ADD_OUTPUT),
        annotations: { readOnlyHint: true },
      },
      async ({ a, b }) => ({
        content: [{ type: "text", text: String(a + b) }],
        structuredContent: { sum: a + b },
      }),
    );
    server.registerTool("fail", { description: "Always fails" }, async () => ({
      content: [{ type: "text", text: "intentional failure" }],
      isError: true,
    }));
    server.registerTool("slow", { inputSchema: z.object({ ms: z.number() }) }, async ({ ms }) => {
      await sleep(ms);
      return { content: [{ type: "text", text: `slept ${ms}` }] };
    });
    if (remote.extra) {
      server.registerTool("extra", { description: "Added later" }, async () => ({
        content: [{ type: "text", text: "extra" }],
      }));
    }
    more?.(server);
    server.registerResource(
      "note-a",
      "note://a",
      { mimeType: "text/plain", description: "Note A" },
      async (uri) => ({
        contents: [{ uri: uri.href, mimeType: "text/plain", text: "hello from a" }],
      }),
    );
    server.registerResource(
      "notes",
      new TemplateV2("note://{id}", { list: undefined }),
      { description: "Any note" },
      async (uri, { id }) => ({ contents: [{ uri: uri.href, text: `note ${String(id)}` }] }),
    );
    server.registerPrompt(
      "greet",
      { description: "Greets someone", argsSchema: z.object({ name: z.string() }) },
      ({ name }) => ({ messages: [{ role: "user", content: { type: "text", text: `Hello, ${name}!` } }] }),
    );
    return server;
  };
  let handler = createMcpHandler(factory);
  remote.notify = handler.notify;
  remote.restart = async () => {
    const old = handler;
    handler = createMcpHandler(factory, { bus: old.bus });
    await old.close();
  };
  remote.fetch = async (input, init) => {
    const request = new Request(input, init);
    let method: string | undefined;
    if (request.method === "POST") {
      method = ((await request.clone().json()) as { method?: string }).method;
    }
    remote.seen.push({ httpMethod: request.method, method, headers: new Headers(request.headers) });
    return handler.fetch(request);
  };
  return remote;
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) headers.set(name, value.join(", "));
  }
  return headers;
}
