/** Requests the core's tests build by hand (the test-kit builds on the core, so it is not used here). */

export const ACCEPT_BOTH = "application/json, text/event-stream";

/** A legacy-era `initialize` POST. */
export function initializeRequest(
  url: string,
  protocolVersion = "2025-11-25",
  capabilities: Record<string, unknown> = {},
): Request {
  return new Request(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion, capabilities, clientInfo: { name: "c", version: "1" } },
    }),
  });
}

/** A 2026-07-28 `subscriptions/listen` request (id `sub-1`) asking for `notifications`. */
export function listenRequest(
  url: string,
  notifications: Record<string, unknown>,
  capabilities: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Request {
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": capabilities,
  };
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: ACCEPT_BOTH,
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "subscriptions/listen",
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: "sub-1",
      method: "subscriptions/listen",
      params: { notifications, _meta: meta },
    }),
  });
}
