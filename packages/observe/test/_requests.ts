/** MCP requests as a client sends them, in either era. */
export const URL_ = "http://127.0.0.1:3000/mcp";
const ACCEPT = "application/json, text/event-stream";

export function modernRequest(
  method: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  url = URL_,
): Request {
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
    ...(params._meta as object | undefined),
  };
  const head: Record<string, string> = {
    "content-type": "application/json",
    accept: ACCEPT,
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
    ...headers,
  };
  if (typeof params.name === "string") head["mcp-name"] = params.name;
  return new Request(url, {
    method: "POST",
    headers: head,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: meta } }),
  });
}

export function legacyRequest(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

/** A 2025-era `initialize`. */
export function initializeRequest(): Request {
  return legacyRequest({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
  });
}
