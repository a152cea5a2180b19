/** A Portico server in front of an upstream, and callers of it in both eras. */
import { type AuthInfo, createHandler, type McpHandler, McpServer } from "@portico/core";
import {
  initializeBody,
  initializedBody,
  type JsonRpcMessage,
  legacyPost,
  modernPost,
  readJsonRpc,
} from "@portico/test-kit";
import { type ProxyOptions, type ProxyRegistration, proxy } from "../src/index.ts";

export const URL_ = "http://127.0.0.1/mcp";

export interface Front {
  server: McpServer;
  handler: McpHandler;
  proxied: ProxyRegistration;
}

export async function front(target: string, options: ProxyOptions = {}): Promise<Front> {
  const server = new McpServer({ name: "front", version: "1.0.0" });
  const proxied = await proxy(server, target, options);
  const handler = createHandler(server, { onError: () => {} });
  return { server, handler, proxied };
}

/** One modern-era request to the front; its answer (the last message). */
export async function modern(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown> = {},
  auth?: AuthInfo,
  clientCapabilities: Record<string, unknown> = {},
): Promise<JsonRpcMessage> {
  const request = modernPost(URL_, method, params, { clientCapabilities });
  const response = await handler.fetch(request, {}, auth ? { authInfo: auth } : {});
  const last = (await readJsonRpc(response)).at(-1);
  if (last === undefined) throw new Error(`no answer (HTTP ${response.status})`);
  return last;
}

/** A legacy-era session with the front. */
export async function legacySession(
  handler: McpHandler,
): Promise<(method: string, params?: Record<string, unknown>) => Promise<JsonRpcMessage>> {
  const init = await handler.fetch(legacyPost(URL_, initializeBody(1)));
  const sessionId = init.headers.get("mcp-session-id") ?? undefined;
  await readJsonRpc(init);
  const options = { ...(sessionId ? { sessionId } : {}), protocolVersion: "2025-11-25" };
  await handler.fetch(legacyPost(URL_, initializedBody(), options));
  let id = 2;
  return async (method, params = {}) => {
    const response = await handler.fetch(
      legacyPost(URL_, { jsonrpc: "2.0", id: id++, method, params }, options),
    );
    const last = (await readJsonRpc(response)).at(-1);
    if (last === undefined) throw new Error(`no answer (HTTP ${response.status})`);
    return last;
  };
}

/** A fake legacy upstream's answer to `initialize` (tools, listChanged) or any other request (no tools). */
export function legacyResult(method: unknown): Record<string, unknown> {
  return method === "initialize"
    ? {
        protocolVersion: "2025-11-25",
        capabilities: { tools: { listChanged: true } },
        serverInfo: { name: "up", version: "1" },
      }
    : { tools: [] };
}
