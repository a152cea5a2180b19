/**
 * One request in the modern era (2026-07-28): a stateless POST whose params carry the `_meta`
 * envelope (protocol version, client capabilities and info) and whose `Mcp-*` headers name the
 * method, its target and a tool's `x-mcp-header` arguments.
 */

import { UpstreamInputRequired } from "./errors.ts";
import { asObject, type Json } from "./json.ts";
import { CLIENT_INFO, type RequestOptions, type RpcChannel, readAnswer, unwrap } from "./rpc.ts";

export const MODERN_VERSION = "2026-07-28";
const META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
const META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
const META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
const META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";

/**
 * Sends `method` to a modern upstream and returns its result; an `input_required` result is thrown
 * as `UpstreamInputRequired` (the forwarding handler asks its caller and retries).
 */
export async function modernRequest(
  rpc: RpcChannel,
  method: string,
  params: Json,
  options: RequestOptions,
): Promise<Json> {
  const meta: Json = {
    ...asObject(params._meta),
    [META_PROTOCOL_VERSION]: MODERN_VERSION,
    [META_CLIENT_CAPABILITIES]: options.clientCapabilities ?? {},
    [META_CLIENT_INFO]: CLIENT_INFO,
  };
  // Log messages come only when asked for; the caller's own level filters them again.
  if (
    options.onNotification !== undefined &&
    method !== "server/discover" &&
    method !== "subscriptions/listen"
  ) {
    meta[META_LOG_LEVEL] = "debug";
  }
  const headers = rpc.headers(options.headers);
  headers.set("MCP-Protocol-Version", MODERN_VERSION);
  headers.set("Mcp-Method", encodeHeaderValue(method));
  const name = mcpName(method, params);
  if (name !== undefined) headers.set("Mcp-Name", encodeHeaderValue(name));
  for (const [header, value] of Object.entries(options.paramHeaders ?? {})) {
    headers.set(`Mcp-Param-${header}`, encodeHeaderValue(value));
  }
  const id = rpc.nextId();
  const response = await rpc.post(
    { jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } },
    headers,
    options.signal,
  );
  const message = await readAnswer(response, id, options, undefined, rpc.maxMessageBytes);
  const result = unwrap(message, response);
  if (result.resultType === "input_required") {
    const requests = asObject(result.inputRequests);
    const state = typeof result.requestState === "string" ? result.requestState : undefined;
    throw new UpstreamInputRequired(requests, state);
  }
  return result;
}

/** What `Mcp-Name` carries: the tool or prompt name, or the resource URI. */
function mcpName(method: string, params: Json): string | undefined {
  const value =
    method === "tools/call" || method === "prompts/get"
      ? params.name
      : method === "resources/read"
        ? params.uri
        : undefined;
  return typeof value === "string" ? value : undefined;
}

/**
 * An MCP header value: printable ASCII without edge spaces as is, anything else as
 * `=?base64?<base64 of the UTF-8 bytes>?=`.
 */
export function encodeHeaderValue(value: string): string {
  let plain = value.length > 0 && value[0] !== " " && value[value.length - 1] !== " ";
  for (let i = 0; plain && i < value.length; i++) {
    const c = value.charCodeAt(i);
    plain = c >= 0x20 && c <= 0x7e;
  }
  if (plain && !(value.startsWith("=?base64?") && value.endsWith("?="))) return value;
  let binary = "";
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return `=?base64?${btoa(binary)}?=`;
}
