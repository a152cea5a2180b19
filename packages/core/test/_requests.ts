/** Requests the core's tests build by hand (the test-kit builds on the core, so it is not used here). */

export const ACCEPT_BOTH = "application/json, text/event-stream";

/** A legacy-era `initialize` POST. */
export function initializeRequest(url: string, protocolVersion = "2025-11-25"): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion, capabilities: {}, clientInfo: { name: "c", version: "1" } },
    }),
  });
}

/** A 2026-07-28 POST of `method` with the `_meta` envelope and the mirrored headers. */
export function modernRequest(
  url: string,
  method: string,
  params: Record<string, unknown> = {},
  id: string | number = 1,
  capabilities: Record<string, unknown> = {},
): Request {
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": capabilities,
    ...(params._meta as object | undefined),
  };
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: ACCEPT_BOTH,
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
  };
  if (typeof params.name === "string") headers["mcp-name"] = params.name;
  const body = JSON.stringify({ jsonrpc: "2.0", id, method, params: { ...params, _meta } });
  return new Request(url, { method: "POST", headers, body });
}
