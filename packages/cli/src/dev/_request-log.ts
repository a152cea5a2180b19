import type { ExecutionContextLike, FetchApp } from "@portico/host";
import { bufferedRequest } from "@portico/host";

/** Bodies up to this size are read to name the MCP method in the log; larger ones pass untouched. */
const PEEK_LIMIT = 256 * 1024;

/** `tools/call add`, `resources/read file:///x`, `batch(3)`, `response` — from one JSON-RPC body. */
export function describeMessage(body: unknown): string {
  if (Array.isArray(body)) return `batch(${body.length})`;
  if (typeof body !== "object" || body === null) return "";
  const { method, params } = body as { method?: unknown; params?: unknown };
  if (typeof method !== "string") return "response";
  const p = (typeof params === "object" && params !== null ? params : {}) as Record<string, unknown>;
  const target = typeof p.name === "string" ? p.name : typeof p.uri === "string" ? p.uri : undefined;
  return target === undefined ? method : `${method} ${target}`;
}

/** At most this many characters of what a request names are logged. */
const NAME_LIMIT = 200;

/**
 * Request fields as they may be shown on the developer's terminal: control characters (C0, DEL,
 * C1, the line and paragraph separators, the bidirectional overrides) escaped as `\xNN`/`\uNNNN`
 * so that no request can move the cursor, colour the screen or forge a log line, and at most
 * `limit` characters (then `…`). Any web page can send a request to a local server.
 */
export function printable(text: string, limit = NAME_LIMIT): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping them is the point.
  const escaped = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`;
  });
  if (escaped.length <= limit) return escaped;
  // Not between the two halves of a surrogate pair.
  const end = /[\ud800-\udbff]/.test(escaped.charAt(limit - 1)) ? limit - 1 : limit;
  return `${escaped.slice(0, end)}…`;
}

function time(): string {
  return new Date().toTimeString().slice(0, 8);
}

/**
 * Reads a POST body whole (when it declares a small length), so the log can name the MCP method,
 * and hands the app a buffered request with the same bytes. Modern requests name theirs in the
 * `Mcp-Method`/`Mcp-Name` headers, which cost nothing.
 */
async function peek(request: Request): Promise<{ request: Request; what: string }> {
  const method = request.headers.get("mcp-method");
  if (method !== null) {
    const name = request.headers.get("mcp-name");
    return { request, what: name === null ? method : `${method} ${name}` };
  }
  const length = Number(request.headers.get("content-length") ?? Number.NaN);
  if (request.method !== "POST" || !(length >= 0 && length <= PEEK_LIMIT)) return { request, what: "" };
  const bytes = new Uint8Array(await request.arrayBuffer());
  let what = "";
  try {
    what = describeMessage(JSON.parse(new TextDecoder().decode(bytes)));
  } catch {
    what = "(not JSON)";
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) headers[name] = value;
  const copy = bufferedRequest({
    method: request.method,
    url: request.url,
    headers,
    body: bytes,
    signal: request.signal,
  });
  return { request: copy, what };
}

/**
 * Wraps an app so that every request prints one line when its response starts:
 * `12:04:05 POST tools/call add → 200 3 ms` (the time, the HTTP method, the MCP method and tool,
 * resource or prompt name when cheap to tell, the status, the time to the response's head).
 * The wrapped app receives buffered requests (it must accept them, as a Portico handler does).
 */
export function withRequestLog(app: FetchApp, write: (line: string) => void): FetchApp {
  return {
    acceptsBufferedRequests: true,
    async fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response> {
      const started = performance.now();
      const { request: forwarded, what } = await peek(request);
      const head = `${time()} ${printable(request.method, 16)}${what === "" ? "" : ` ${printable(what)}`}`;
      try {
        const response = await app.fetch(forwarded, env, ctx);
        const stream = response.headers.get("content-type")?.startsWith("text/event-stream")
          ? " (stream)"
          : "";
        write(`${head} → ${response.status}${stream} ${Math.round(performance.now() - started)} ms`);
        return response;
      } catch (error) {
        write(`${head} → failed ${Math.round(performance.now() - started)} ms`);
        throw error;
      }
    },
  };
}
