/**
 * The measured `tools/call add {a: 2, b: 3}` request in both eras, the legacy handshake that
 * precedes it, and the check that a response really carries the sum.
 */
import type { Era } from "./targets.ts";

export const MODERN_VERSION = "2026-07-28";
export const LEGACY_VERSION = "2025-06-18";
export const EXPECTED_TEXT = "5";

/** What the load generator sends over and over. */
export interface CallSpec {
  headers: Record<string, string>;
  body: string;
}

/** Sends one request; in process that is `handler.fetch`, over the wire global `fetch`. */
export type Send = (headers: Record<string, string>, body: string) => Promise<Response>;

const BASE_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

export function callBody(era: Era): string {
  const params: Record<string, unknown> = { name: "add", arguments: { a: 2, b: 3 } };
  if (era === "modern") {
    params._meta = {
      "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
      "io.modelcontextprotocol/clientCapabilities": {},
    };
  }
  return JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params });
}

/**
 * The raw floor's answer to a `tools/call add` body (JSON text): the sum as JSON-RPC text, with
 * `resultType` for a 2026-07-28 call — no protocol checks (server.ts's raw node:http, gap-server.ts).
 */
export function rawAnswer(text: string): string {
  const body = JSON.parse(text) as {
    id?: unknown;
    params?: { arguments?: { a?: number; b?: number }; _meta?: unknown };
  };
  const args = body.params?.arguments ?? {};
  const result: Record<string, unknown> = {
    content: [{ type: "text", text: String((args.a ?? 0) + (args.b ?? 0)) }],
  };
  if (body.params?._meta !== undefined) result.resultType = "complete";
  return JSON.stringify({ jsonrpc: "2.0", id: body.id ?? null, result });
}

/** Reads the JSON-RPC message from a JSON or SSE body (the last `data:` line wins). */
export function parseMessage(contentType: string | null, text: string): unknown {
  if (contentType?.includes("text/event-stream")) {
    const data = text
      .split("\n")
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).trim());
    const last = data.at(-1);
    if (last === undefined) throw new Error(`no data line in SSE body: ${text.slice(0, 200)}`);
    return JSON.parse(last);
  }
  return JSON.parse(text);
}

/** Throws unless the response is a 200 whose result text is the sum. */
export async function verify(response: Response, label: string): Promise<void> {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  const message = parseMessage(response.headers.get("content-type"), text) as {
    result?: { content?: Array<{ text?: string }>; isError?: boolean };
  };
  const got = message.result?.content?.[0]?.text;
  if (message.result?.isError === true || got !== EXPECTED_TEXT) {
    throw new Error(`${label}: not a correct add result: ${text.slice(0, 300)}`);
  }
}

/**
 * Builds the repeated request for an era. Legacy runs `initialize` + `notifications/initialized`
 * first and carries the session id if the peer issued one (stateless peers issue none).
 */
export async function prepareCall(era: Era, send: Send): Promise<CallSpec> {
  if (era === "modern") {
    const headers = {
      ...BASE_HEADERS,
      "mcp-protocol-version": MODERN_VERSION,
      "mcp-method": "tools/call",
      "mcp-name": "add",
    };
    return { headers, body: callBody("modern") };
  }
  const init = JSON.stringify({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: {
      protocolVersion: LEGACY_VERSION,
      capabilities: {},
      clientInfo: { name: "bench", version: "0" },
    },
  });
  const initResponse = await send(BASE_HEADERS, init);
  const initText = await initResponse.text();
  if (initResponse.status !== 200)
    throw new Error(`initialize: HTTP ${initResponse.status}: ${initText.slice(0, 300)}`);
  const headers: Record<string, string> = { ...BASE_HEADERS, "mcp-protocol-version": LEGACY_VERSION };
  const sessionId = initResponse.headers.get("mcp-session-id");
  if (sessionId !== null) headers["mcp-session-id"] = sessionId;
  const initialized = await send(
    headers,
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  );
  await initialized.text();
  if (initialized.status >= 300) throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  return { headers, body: callBody("legacy") };
}
