/**
 * The HTTP headers a Streamable HTTP client would send with a message. On stdio, a 2026-07-28
 * request carries its metadata in the body only ("there is no header layer"); the handler behind
 * this adapter speaks HTTP, so the headers that HTTP binding requires are derived from the body the
 * way a client derives them: `MCP-Protocol-Version` from the `_meta` envelope, `Mcp-Method` from
 * `method`, `Mcp-Name` from `params.name` / `params.uri` / `params.taskId`, and `Mcp-Param-*` from
 * the tool's `x-mcp-header` arguments (see `_param-headers.ts`).
 */

/** The `_meta` key of a request's protocol version (2026-07-28 and later). */
export const META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";

/** The body field `Mcp-Name` mirrors, per method. */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
  "tasks/get": "taskId",
  "tasks/update": "taskId",
  "tasks/cancel": "taskId",
};

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The params object of a message, if it has one. */
export function paramsOf(message: JsonObject): JsonObject | undefined {
  return isObject(message.params) ? message.params : undefined;
}

/** The modern protocol version a message declares in its `_meta` envelope, if any. */
export function modernVersionOf(message: JsonObject): string | undefined {
  const meta = paramsOf(message)?._meta;
  const version = isObject(meta) ? meta[META_PROTOCOL_VERSION] : undefined;
  return typeof version === "string" ? version : undefined;
}

const BASE64_PREFIX = "=?base64?";
const BASE64_SUFFIX = "?=";

/** Whether `value` cannot travel as a plain header value (the spec's rule for base64 wrapping). */
function needsBase64(value: string): boolean {
  if (value === "" || value !== value.trim()) return true;
  if (value.startsWith(BASE64_PREFIX) && value.endsWith(BASE64_SUFFIX)) return true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c !== 9 && (c < 0x20 || c > 0x7e)) return true;
  }
  return false;
}

/** A header value for `value`: as it is when safe, else `=?base64?<UTF-8 as base64>?=`. */
export function encodeHeaderValue(value: string): string {
  if (!needsBase64(value)) return value;
  return `${BASE64_PREFIX}${Buffer.from(value, "utf8").toString("base64")}${BASE64_SUFFIX}`;
}

/** A primitive argument as header text (strings as they are, numbers in decimal, booleans). */
export function headerText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` for a modern message (names in lower case).
 * A name the body lacks is left out: the handler then answers the request with its own error.
 */
export function modernHeaders(message: JsonObject, version: string): Record<string, string> {
  const headers: Record<string, string> = { "mcp-protocol-version": version };
  if (typeof message.method !== "string") return headers;
  headers["mcp-method"] = encodeHeaderValue(message.method);
  const field = Object.hasOwn(NAME_SOURCE, message.method) ? NAME_SOURCE[message.method] : undefined;
  const name = field === undefined ? undefined : paramsOf(message)?.[field];
  if (typeof name === "string") headers["mcp-name"] = encodeHeaderValue(name);
  return headers;
}
