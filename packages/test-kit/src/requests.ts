/**
 * MCP request builders for both protocol eras, and a reader for the JSON-RPC messages of a
 * response. Plain Fetch `Request`/`Response`; no dependency on core's runtime.
 */
import { collectSse } from "./sse.ts";

/** Revisions of the session-based (legacy) era, oldest first. */
export const LEGACY_VERSIONS = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] as const;
/** The stateless (modern) revision. */
export const MODERN_VERSION = "2026-07-28";

export const META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
export const META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
export const META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
export const META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";

export type JsonRpcId = string | number;
export type JsonRpcParams = Record<string, unknown>;

export interface JsonRpcRequestBody {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: JsonRpcParams;
}

export interface JsonRpcNotificationBody {
  jsonrpc: "2.0";
  method: string;
  params?: JsonRpcParams;
}

/** Any JSON-RPC message a server may send; loosely typed for convenient assertions. */
export interface JsonRpcMessage {
  jsonrpc: "2.0";
  id?: JsonRpcId | null;
  method?: string;
  params?: any;
  result?: any;
  error?: { code: number; message: string; data?: any };
}

/** Extra headers; `null` or `undefined` removes a header the builder would otherwise set. */
export type HeaderOverrides = Record<string, string | null | undefined>;

export interface ClientInfo {
  name: string;
  version: string;
  [key: string]: unknown;
}

const DEFAULT_CLIENT_INFO: ClientInfo = { name: "test-kit", version: "0" };
const ACCEPT_BOTH = "application/json, text/event-stream";

export function jsonRpc(id: JsonRpcId, method: string, params?: JsonRpcParams): JsonRpcRequestBody {
  return params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params };
}

export function notification(method: string, params?: JsonRpcParams): JsonRpcNotificationBody {
  return params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params };
}

export interface InitializeOptions {
  protocolVersion?: string;
  capabilities?: Record<string, unknown>;
  clientInfo?: ClientInfo;
}

/** The body of a legacy `initialize` request (default revision 2025-11-25). */
export function initializeBody(id: JsonRpcId, options: InitializeOptions = {}): JsonRpcRequestBody {
  const { protocolVersion = "2025-11-25", capabilities = {}, clientInfo = DEFAULT_CLIENT_INFO } = options;
  return jsonRpc(id, "initialize", { protocolVersion, capabilities, clientInfo });
}

/** The body of `notifications/initialized`, which completes the legacy handshake. */
export function initializedBody(): JsonRpcNotificationBody {
  return notification("notifications/initialized");
}

export interface LegacyRequestOptions {
  sessionId?: string;
  protocolVersion?: string;
  headers?: HeaderOverrides;
}

/**
 * A legacy-era POST. `body` is sent as JSON, except a string, which is sent verbatim (for tests of
 * malformed bodies).
 */
export function legacyPost(url: string | URL, body: unknown, options: LegacyRequestOptions = {}): Request {
  const headers = legacyHeaders(options, { "Content-Type": "application/json", Accept: ACCEPT_BOTH });
  return new Request(url, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A legacy-era GET that opens the standalone SSE stream, optionally resuming after `lastEventId`. */
export function legacyGet(
  url: string | URL,
  options: LegacyRequestOptions & { lastEventId?: string } = {},
): Request {
  const base: Record<string, string> = { Accept: "text/event-stream" };
  if (options.lastEventId !== undefined) base["Last-Event-ID"] = options.lastEventId;
  return new Request(url, { method: "GET", headers: legacyHeaders(options, base) });
}

/** A legacy-era DELETE that ends a session. */
export function legacyDelete(url: string | URL, options: LegacyRequestOptions = {}): Request {
  return new Request(url, { method: "DELETE", headers: legacyHeaders(options, {}) });
}

function legacyHeaders(options: LegacyRequestOptions, base: Record<string, string>): Headers {
  const headers = new Headers(base);
  if (options.sessionId !== undefined) headers.set("Mcp-Session-Id", options.sessionId);
  if (options.protocolVersion !== undefined) headers.set("MCP-Protocol-Version", options.protocolVersion);
  return applyOverrides(headers, options.headers);
}

export interface ModernRequestOptions {
  id?: JsonRpcId;
  protocolVersion?: string;
  clientCapabilities?: Record<string, unknown>;
  clientInfo?: ClientInfo;
  logLevel?: string;
  headers?: HeaderOverrides;
  /** Send a notification (no `id`). */
  notification?: boolean;
}

/**
 * A modern-era (stateless) POST: `params._meta` carries the protocol version, client capabilities,
 * client info (and log level when given); headers carry `MCP-Protocol-Version`, `Mcp-Method` and
 * `Mcp-Name`: `params.name` for `tools/call`/`prompts/get`, `params.uri` for `resources/read`,
 * `params.taskId` for the tasks extension's `tasks/get`/`tasks/update`/`tasks/cancel`. Keys already
 * in `params._meta` win over the defaults; give one as `undefined` to leave it out.
 */
export function modernPost(
  url: string | URL,
  method: string,
  params: JsonRpcParams = {},
  options: ModernRequestOptions = {},
): Request {
  const {
    id = 1,
    protocolVersion = MODERN_VERSION,
    clientCapabilities = {},
    clientInfo = DEFAULT_CLIENT_INFO,
  } = options;
  const meta: Record<string, unknown> = {
    [META_PROTOCOL_VERSION]: protocolVersion,
    [META_CLIENT_CAPABILITIES]: clientCapabilities,
    [META_CLIENT_INFO]: clientInfo,
  };
  if (options.logLevel !== undefined) meta[META_LOG_LEVEL] = options.logLevel;
  const givenMeta = params._meta;
  if (givenMeta !== null && typeof givenMeta === "object") Object.assign(meta, givenMeta);
  const fullParams = { ...params, _meta: meta };
  const body =
    options.notification === true ? notification(method, fullParams) : jsonRpc(id, method, fullParams);

  const headers = new Headers({
    "Content-Type": "application/json",
    Accept: ACCEPT_BOTH,
    "MCP-Protocol-Version": protocolVersion,
    "Mcp-Method": encodeHeaderValue(method),
  });
  const name = mcpName(method, params);
  if (name !== undefined) headers.set("Mcp-Name", encodeHeaderValue(name));
  return new Request(url, {
    method: "POST",
    headers: applyOverrides(headers, options.headers),
    body: JSON.stringify(body),
  });
}

/** The methods of the tasks extension (2026-07-28) named by a task id. */
const TASK_METHODS = new Set(["tasks/get", "tasks/update", "tasks/cancel"]);

function mcpName(method: string, params: JsonRpcParams): string | undefined {
  const value =
    method === "tools/call" || method === "prompts/get"
      ? params.name
      : method === "resources/read"
        ? params.uri
        : TASK_METHODS.has(method)
          ? params.taskId
          : undefined;
  return typeof value === "string" ? value : undefined;
}

function applyOverrides(headers: Headers, overrides: HeaderOverrides | undefined): Headers {
  for (const [name, value] of Object.entries(overrides ?? {})) {
    if (value === null || value === undefined) headers.delete(name);
    else headers.set(name, value);
  }
  return headers;
}

const SENTINEL_PREFIX = "=?base64?";
const SENTINEL_SUFFIX = "?=";

/**
 * Encodes an MCP header value: printable ASCII without leading/trailing whitespace goes as is;
 * anything else (and any value that itself looks like the sentinel) becomes
 * `=?base64?<standard base64 of the UTF-8 bytes>?=`.
 */
export function encodeHeaderValue(value: string): string {
  let safe = value.charCodeAt(0) !== 32 && value.charCodeAt(value.length - 1) !== 32;
  for (let i = 0; safe && i < value.length; i++) {
    const c = value.charCodeAt(i);
    safe = c >= 0x20 && c <= 0x7e;
  }
  if (safe && !(value.startsWith(SENTINEL_PREFIX) && value.endsWith(SENTINEL_SUFFIX))) return value;
  let binary = "";
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return SENTINEL_PREFIX + btoa(binary) + SENTINEL_SUFFIX;
}

/** The inverse of `encodeHeaderValue`; throws on a sentinel whose payload is not base64 of UTF-8. */
export function decodeHeaderValue(value: string): string {
  if (
    !value.startsWith(SENTINEL_PREFIX) ||
    !value.endsWith(SENTINEL_SUFFIX) ||
    value.length < SENTINEL_PREFIX.length + SENTINEL_SUFFIX.length
  ) {
    return value;
  }
  const binary = atob(value.slice(SENTINEL_PREFIX.length, -SENTINEL_SUFFIX.length));
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

export interface ReadJsonRpcOptions {
  /** For SSE bodies: stop (and cancel the body) after the first message this accepts. */
  until?: (message: JsonRpcMessage) => boolean;
  /** For SSE bodies: fail if the stream has not ended by then. Default 10 000. */
  timeoutMs?: number;
}

/**
 * The JSON-RPC messages of a response: an `application/json` body (one object or a batch array),
 * or the events of a `text/event-stream` body (events with empty data, such as priming events,
 * are skipped). An empty body (202) gives `[]`; any other content type throws.
 */
export async function readJsonRpc(
  response: Response,
  options: ReadJsonRpcOptions = {},
): Promise<JsonRpcMessage[]> {
  const contentType = response.headers.get("content-type") ?? "";
  const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (mediaType === "text/event-stream") {
    const messages: JsonRpcMessage[] = [];
    const { until } = options;
    await collectSse(response, {
      timeoutMs: options.timeoutMs ?? 10_000,
      until: (event) => {
        if (event.data.trim() === "") return false;
        const received = asArray(parseJson(event.data, "SSE event data"));
        messages.push(...received);
        return until !== undefined && received.some(until);
      },
    });
    return messages;
  }
  const text = await response.text();
  if (text.trim() === "") return [];
  if (mediaType !== "application/json") {
    throw new Error(
      `readJsonRpc: expected application/json or text/event-stream, got ${contentType || "no Content-Type"} ` +
        `(status ${response.status}): ${text.slice(0, 200)}`,
    );
  }
  return asArray(parseJson(text, "response body"));
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`readJsonRpc: ${what} is not JSON: ${text.slice(0, 200)}`);
  }
}

function asArray(value: unknown): JsonRpcMessage[] {
  return (Array.isArray(value) ? value : [value]) as JsonRpcMessage[];
}
