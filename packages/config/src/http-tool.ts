/**
 * The handler of a declarative HTTP tool: fills the URL, headers, query and body from the
 * arguments, fetches with the call's signal and the tool's timeout, and turns the answer into a
 * tool result — JSON as `structuredContent` (an object as it is, anything else as `{ result }`) and
 * as text; a non-2xx status as an error result with the status and excerpts of the reason phrase
 * and the body (bounded, control characters removed).
 * Redirects are followed only within the origin, and an answer is read up to `maxResponseBytes`.
 * `http.timeoutMs` is checked when the handler is made (1 to 2^31−1 ms, as a document's is).
 */
import type { CallToolResult, HandlerContext } from "@portico/core";
import { fetchWithinOrigin, isRedirectRefusal, type RedirectRefusal, readBoundedText } from "@portico/host";
import { excerpt, MAX_BODY_CHARS, MAX_REASON_CHARS } from "./excerpt.ts";
import { argumentText, fill } from "./placeholders.ts";
import type { HttpCall } from "./types.ts";
import { checkTimeoutMs } from "./validate.ts";

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

function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** `HTTP 503 Service Unavailable: <body excerpt>`, the reason and body cut short and without control characters. */
function statusText(response: Response, body: string): string {
  const reason = excerpt(response.statusText, MAX_REASON_CHARS);
  const shown = excerpt(body, MAX_BODY_CHARS);
  return `HTTP ${response.status}${reason ? ` ${reason}` : ""}${shown ? `: ${shown}` : ""}`;
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

/** Why a redirect was not followed, as the tool's error says it. */
function refusalText(refusal: RedirectRefusal): string {
  switch (refusal.refused) {
    case "invalid_location":
      return "the API redirected to an invalid location";
    case "other_origin":
      return "the API redirected to another origin";
    case "too_many_redirects":
      return "the API redirected too many times";
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
  // Checked here too: the handler may be made from a definition that was never validated.
  checkTimeoutMs(http.timeoutMs, `tool ${JSON.stringify(name)}: http.timeoutMs`);
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
    let response: Response;
    let body: string | undefined;
    try {
      // Redirects within the API's origin only: the tool's headers may carry secrets.
      const fetched = await fetchWithinOrigin(options.fetch ?? fetch, request.url, {
        ...request.init,
        signal,
      });
      if (isRedirectRefusal(fetched)) return errorResult(`Tool "${name}": ${refusalText(fetched)}`);
      response = fetched;
      body = await readBoundedText(response, maxBytes, signal);
      if (body === undefined)
        return errorResult(`Tool "${name}": the answer is larger than ${maxBytes} bytes`);
    } catch (error) {
      if (timeout.aborted) return errorResult(`Tool "${name}": no answer within ${timeoutMs} ms`);
      if (ctx.signal.aborted) throw error;
      // The cause (a refused connection, a bad header value) is for the operator, not the client.
      ctx.logger.warn("config tool: the request failed", { tool: name, error });
      return errorResult(`Tool "${name}": the API could not be reached`);
    }
    if (!response.ok) return errorResult(`Tool "${name}": ${statusText(response, body)}`);
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
