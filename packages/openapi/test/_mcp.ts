/** A handler for a server and modern-era (2026-07-28) calls to it, as a client would make them. */
import { type AuthInfo, createHandler, type McpHandler, type McpServer } from "@portico/core";
import { modernPost, readJsonRpc } from "@portico/test-kit";

export const MCP_URL = "http://127.0.0.1/mcp";

export function handlerOf(server: McpServer): McpHandler {
  return createHandler(server, { allowedHosts: ["127.0.0.1"], onError: () => {} });
}

/** One request; resolves the JSON-RPC answer (the last message). */
export async function request(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown> = {},
  authInfo?: AuthInfo,
): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const ctx = authInfo === undefined ? {} : { authInfo };
  const response = await handler.fetch(modernPost(MCP_URL, method, params), {}, ctx);
  const last = (await readJsonRpc(response)).at(-1);
  if (last === undefined) throw new Error(`no answer (HTTP ${response.status})`);
  return last as { result?: any; error?: { code: number; message: string } };
}

/** A `tools/call`'s result (throws on a JSON-RPC error). */
export async function callTool(
  handler: McpHandler,
  name: string,
  args: Record<string, unknown>,
  authInfo?: AuthInfo,
): Promise<{ content: { type: string; text?: string }[]; structuredContent?: any; isError?: boolean }> {
  const answer = await request(handler, "tools/call", { name, arguments: args }, authInfo);
  if (answer.error !== undefined) throw new Error(`tools/call ${name}: ${answer.error.message}`);
  // The envelope of the modern era is not what these tests are about.
  const { _meta, resultType, ...result } = answer.result;
  return result;
}

/** Every tool of `tools/list` (first page is enough for the test documents). */
export async function listTools(handler: McpHandler): Promise<any[]> {
  const answer = await request(handler, "tools/list");
  return answer.result.tools;
}
