/**
 * The handler of a declarative HTTP tool: fills the URL, headers, query and body from the
 * arguments, fetches with the call's signal and the tool's timeout, and turns the answer into a
 * tool result — JSON as `structuredContent` (an object as it is, anything else as `{ result }`) and
 * as text; a non-2xx status as an error result with the status and an excerpt of the body.
 * Redirects are followed only within the origin, and an answer is read up to `maxResponseBytes`.
 */
import type { CallToolResult, HandlerContext } from "@portico/core";
import { argumentText, fill } from "./placeholders.ts";
import type { HttpCall } from "./types.ts";

/** How a declarative tool reaches the network. */
export interface HttpToolOptions {
  /** Values for `${ENV_NAME}` in headers and URLs. Never read from `process.env` by this package. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The fetch to use. Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** The most bytes of an answer that are read; a longer one is an error result. Default 10 MiB. */
  maxResponseBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const REDIRECTS = [301, 302, 303, 307, 308];
const EXCERPT = 500;

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

function excerpt(text: string): string {
  return text.length <= EXCERPT ? text : `${text.slice(0, EXCERPT - 1)}…`;
}

/** The request a call makes, or what is missing to make it. */
export function buildRequest(
  http: HttpCall,
  args: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>> = {},
): { url: string; init: RequestInit } | { missing: string } {
  const url = fill(http.url, args, env, encodeURIComponent);
  if ("missing" in url) return url;
  // `.` and `..` survive percent-encoding (and `%2e` reads as a dot too): a dot segment made by an
  // argument would move the request to another path, so such an argument cannot be sent.
  const shape = fill(http.url, args, env, () => "_") as { text: string };
  if (dotSegments(url.text) !== dotSegments(shape.text)) throw new Error("an argument is a dot segment");
  const target = new URL(url.text);
  for (const name of http.query ?? []) {
    const value = args[name];
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value])
      target.searchParams.append(name, argumentText(item));
  }
  const headers = new Headers();
  for (const [name, template] of Object.entries(http.headers ?? {})) {
    const value = fill(template, args, env);
    if ("missing" in value) return value;
    headers.set(name, value.text);
  }
  const init: RequestInit = { method: http.method, headers };
  if (http.body !== undefined) {
    const picked =
      http.body === "arguments"
        ? args
        : Object.fromEntries(http.body.filter((n) => args[n] !== undefined).map((n) => [n, args[n]]));
    init.body = JSON.stringify(picked);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  if (!headers.has("accept")) headers.set("accept", "application/json, text/plain;q=0.9, */*;q=0.8");
  return { url: target.href, init };
}

/** How many `.` / `..` segments the path of a URL text has. */
function dotSegments(url: string): number {
  const path = url.split(/[?#]/, 1)[0] as string;
  return path.split("/").filter((segment) => /^(?:\.|%2e){1,2}$/i.test(segment)).length;
}

/**
 * Fetches, following redirects only within the origin (the tool's headers may carry secrets);
 * resolves the answer, or why it was not followed.
 */
async function fetchSameOrigin(fetcher: typeof fetch, url: string, init: RequestInit) {
  let current = url;
  let request: RequestInit = { ...init, redirect: "manual" };
  for (let hop = 0; ; hop++) {
    const response = await fetcher(current, request);
    const location = response.headers.get("location");
    if (!REDIRECTS.includes(response.status) || location === null) return response;
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.origin !== new URL(current).origin) return "the API redirected to another origin";
    if (hop === MAX_REDIRECTS) return "the API redirected too many times";
    if (response.status === 303 || (response.status <= 302 && request.method === "POST")) {
      const headers = new Headers(request.headers);
      headers.delete("content-type");
      request = { ...request, method: "GET", body: null, headers };
    }
    current = next.href;
  }
}

/** The body as text, or undefined once it is longer than `limit` bytes (reading stops there). */
async function readText(response: Response, limit: number): Promise<string | undefined> {
  if (response.body === null) return "";
  if (Number(response.headers.get("content-length")) > limit) {
    await response.body.cancel();
    return undefined;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return undefined;
    }
    text += decoder.decode(value, { stream: true });
  }
}

function parseJson(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** A tool handler calling `http` with the call's arguments. */
export function httpToolHandler(
  name: string,
  http: HttpCall,
  options: HttpToolOptions = {},
): (args: Record<string, unknown>, ctx: HandlerContext) => Promise<CallToolResult> {
  const timeoutMs = http.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_BYTES;
  return async (args, ctx) => {
    let request: ReturnType<typeof buildRequest>;
    try {
      request = buildRequest(http, args ?? {}, options.env);
    } catch {
      // An argument that cannot go into a URL or a header (a newline in a header value…).
      return errorResult(`Tool "${name}": an argument cannot be sent in this request`);
    }
    if ("missing" in request) return errorResult(`Tool "${name}": missing ${request.missing}`);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    let response: Response | string;
    let body: string | undefined;
    try {
      response = await fetchSameOrigin(options.fetch ?? fetch, request.url, { ...request.init, signal });
      if (typeof response === "string") return errorResult(`Tool "${name}": ${response}`);
      body = await readText(response, maxBytes);
      if (body === undefined)
        return errorResult(`Tool "${name}": the answer is larger than ${maxBytes} bytes`);
    } catch (error) {
      if (timeout.aborted) return errorResult(`Tool "${name}": no answer within ${timeoutMs} ms`);
      if (ctx.signal.aborted) throw error;
      // The cause (a refused connection, a bad header value) is for the operator, not the client.
      ctx.logger.warn("config tool: the request failed", { tool: name, error });
      return errorResult(`Tool "${name}": the API could not be reached`);
    }
    if (!response.ok) {
      const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
      return errorResult(`Tool "${name}": HTTP ${status}${body ? `: ${excerpt(body)}` : ""}`);
    }
    const json = parseJson(body);
    if (json === undefined) return { content: [{ type: "text", text: body }] };
    const value = json.value;
    const structured =
      typeof value === "object" && value !== null && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : { result: value };
    return { content: [{ type: "text", text: body }], structuredContent: structured };
  };
}
