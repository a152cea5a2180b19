/**
 * A real MCP server behind an authenticator: `createHandler(server, { auth })` served by
 * `@portico/adapter-node` on 127.0.0.1, with one tool, `whoami`, answering `ctx.auth`. And a client
 * speaking both eras over HTTP.
 */
import { type Server, serve } from "@portico/adapter-node";
import { addTool, createHandler, McpServer } from "@portico/core";
import type { Authenticator } from "@portico/host";

const ACCEPT = "application/json, text/event-stream";

export interface McpUnderTest {
  url: string;
  server: Server;
  /** `onError` of createHandler and of the adapter. */
  errors: unknown[];
}

export async function startMcp(auth: Authenticator): Promise<McpUnderTest> {
  const errors: unknown[] = [];
  const mcp = new McpServer({ name: "auth-test", version: "1.0.0" });
  addTool(mcp, "whoami", { description: "Who is calling" }, (_args, ctx) =>
    JSON.stringify({
      subject: ctx.auth?.subject,
      scopes: ctx.auth?.scopes,
      clientId: ctx.auth?.clientId,
      issuer: ctx.auth?.issuer,
      email: ctx.auth?.extra?.email,
    }),
  );
  const handler = createHandler(mcp, { auth, onError: (error) => errors.push(error) });
  const server = await serve(handler, { port: 0, onError: (error) => errors.push(error) });
  // Node refuses headers over 16 KB before any app sees them; raise it so the authenticator's own
  // size limit is what a huge token meets.
  (server.server as unknown as { maxHeaderSize: number }).maxHeaderSize = 1024 * 1024;
  return { url: `${server.url}/mcp`, server, errors };
}

/** The JSON-RPC messages of an answer (JSON, or every `data:` line of SSE). */
async function messages(response: Response): Promise<Record<string, any>[]> {
  const text = await response.text();
  if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
    return text
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line.length > 6)
      .map((line) => JSON.parse(line.slice(6)));
  }
  return text === "" ? [] : [JSON.parse(text)];
}

export interface Whoami {
  status: number;
  identity?: Record<string, unknown>;
}

async function whoamiFrom(response: Response): Promise<Whoami> {
  if (response.status !== 200) return { status: response.status };
  const all = await messages(response);
  const result = all[all.length - 1]?.result;
  return { status: 200, identity: JSON.parse(result.content[0].text) };
}

/** `tools/call whoami` in the modern era (2026-07-28): `_meta` protocol version and mirrored headers. */
export async function modernWhoami(url: string, headers: Record<string, string>): Promise<Whoami> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: ACCEPT,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": "whoami",
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: {
        name: "whoami",
        arguments: {},
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  });
  return whoamiFrom(response);
}

/** `initialize`, then `tools/call whoami` in that session (2025-11-25). */
export async function legacyWhoami(url: string, headers: Record<string, string>): Promise<Whoami> {
  const init = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    }),
  });
  await init.text();
  const session = init.headers.get("mcp-session-id");
  if (init.status !== 200 || session === null) return { status: init.status };
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: ACCEPT,
      "mcp-session-id": session,
      "mcp-protocol-version": "2025-11-25",
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "whoami", arguments: {} },
    }),
  });
  return whoamiFrom(response);
}

/** The body every 401 carries: a fixed JSON-RPC error, nothing from the token or the failure. */
export const UNAUTHORIZED_BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: null,
  error: { code: -32600, message: "Unauthorized" },
});
