/**
 * A tiny in-process client for the core's tests: one request in either era, its answer read as
 * JSON-RPC messages (one for a JSON answer, every `data:` event for an SSE answer).
 */
import type { McpHandler, Middleware } from "../src/index.ts";
import { ACCEPT_BOTH, initializeRequest } from "./_requests.ts";

export const URL_ = "http://127.0.0.1/mcp";

/**
 * `middleware` around every request but a legacy session's `initialize`, which passes straight
 * through: for tests about the request a session was opened for.
 */
export function pastInitialize(middleware: Middleware): Middleware {
  return (call, next) => (call.method === "initialize" ? next() : middleware(call, next));
}

export interface Answer {
  status: number;
  headers: Headers;
  contentType: string;
  /** Every JSON-RPC message of the answer, in order. */
  messages: Record<string, any>[];
  /** The last message (the final response of a request). */
  final: Record<string, any>;
}

export async function read(response: Response): Promise<Answer> {
  const contentType = response.headers.get("content-type") ?? "";
  const text = await response.text();
  let messages: Record<string, any>[];
  if (contentType.startsWith("text/event-stream")) {
    messages = text
      .split("\n")
      .filter((line) => line.startsWith("data: ") && line.length > 6)
      .map((line) => JSON.parse(line.slice(6)));
  } else {
    messages = text === "" ? [] : [JSON.parse(text)];
  }
  return {
    status: response.status,
    headers: response.headers,
    contentType,
    messages,
    final: messages[messages.length - 1] ?? {},
  };
}

export interface CallOptions {
  id?: string | number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  capabilities?: Record<string, unknown>;
}

/** A modern (2026-07-28) request, with the headers that must mirror it. */
export function modernRequest(
  method: string,
  params: Record<string, unknown> = {},
  options: CallOptions = {},
) {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: ACCEPT_BOTH,
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": method,
    ...options.headers,
  };
  const name = method === "resources/read" ? params.uri : params.name;
  if (typeof name === "string" && /^(tools\/call|prompts\/get|resources\/read)$/.test(method))
    headers["mcp-name"] = name;
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": options.capabilities ?? {},
    ...(params._meta as Record<string, unknown> | undefined),
  };
  return new Request(URL_, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: options.id ?? 1, method, params: { ...params, _meta: meta } }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

export async function modern(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown> = {},
  options: CallOptions = {},
): Promise<Answer> {
  return read(await handler.fetch(modernRequest(method, params, options)));
}

/** Opens a legacy session; returns a function that sends one request (or notification) in it. */
export async function legacySession(
  handler: McpHandler,
  protocolVersion = "2025-11-25",
  capabilities: Record<string, unknown> = {},
) {
  const init = await handler.fetch(initializeRequest(URL_, protocolVersion, capabilities));
  const sessionId = init.headers.get("mcp-session-id");
  if (sessionId === null) throw new Error(`initialize failed: ${init.status} ${await init.text()}`);
  const headers = {
    "content-type": "application/json",
    accept: ACCEPT_BOTH,
    "mcp-session-id": sessionId,
    "mcp-protocol-version": protocolVersion,
  };
  const send = (body: unknown, signal?: AbortSignal) =>
    handler.fetch(
      new Request(URL_, {
        method: "POST",
        headers,
        body: JSON.stringify(body),
        ...(signal ? { signal } : {}),
      }),
    );
  return {
    sessionId,
    send,
    async call(
      method: string,
      params: Record<string, unknown> = {},
      options: CallOptions = {},
    ): Promise<Answer> {
      return read(await send({ jsonrpc: "2.0", id: options.id ?? 1, method, params }, options.signal));
    },
  };
}

/** The JSON-RPC messages of an SSE answer, one by one as they arrive (the stream stays open meanwhile). */
export async function* sseMessages(response: Response): AsyncGenerator<Record<string, any>> {
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const data = buffer
        .slice(0, end)
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .join("");
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      if (data !== "") yield JSON.parse(data);
    }
  }
}
