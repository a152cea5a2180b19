/** Upstream responses as tool results and resource contents. */
import { type CallToolResult, type Era, ErrorCode, McpError, type ResourceContents } from "@portico/core";
import type { Exchange } from "./http.ts";
import type { OutputPlan } from "./output.ts";
import { essence, excerpt, isJsonMediaType, isObject } from "./util.ts";

const decoder = new TextDecoder();

function textual(type: string): boolean {
  return (
    type === "" ||
    type.startsWith("text/") ||
    isJsonMediaType(type) ||
    /[/+](xml|yaml|x-yaml|javascript|x-www-form-urlencoded|csv|graphql)$/.test(type)
  );
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * The most of the API's reason phrase a client sees: a phrase is the API's text, of any length
 * (a 12 KB one naming an internal host reached clients whole).
 */
const MAX_REASON_CHARS = 100;

/** `HTTP 404 Not Found: <excerpt of the body>`. */
function statusMessage(status: number, statusText: string, bytes: Uint8Array): string {
  const reason = excerpt(statusText, MAX_REASON_CHARS);
  const head = `HTTP ${status}${reason ? ` ${reason}` : ""}`;
  // Decode a little more than is shown: enough for 500 characters of any script.
  const body = excerpt(decoder.decode(bytes.subarray(0, 4096)));
  return body === "" ? head : `${head}: ${body}`;
}

function failure(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** A tool's result: 2xx JSON as `structuredContent` (and its text), other 2xx as text or an image, the rest errors. */
export function toolResult(exchange: Exchange, output: OutputPlan): CallToolResult {
  if (!exchange.ok) return failure(exchange.message);
  const { status, statusText, bytes } = exchange;
  if (status < 200 || status > 299) return failure(statusMessage(status, statusText, bytes));
  if (bytes.byteLength === 0) return { content: [{ type: "text", text: "No content" }] };
  const type = essence(exchange.contentType);
  if (type.startsWith("image/")) return { content: [{ type: "image", data: base64(bytes), mimeType: type }] };
  if (!textual(type)) {
    return {
      content: [{ type: "text", text: `A ${type} response of ${bytes.byteLength} bytes (not shown)` }],
    };
  }
  const text = decoder.decode(bytes);
  if (!isJsonMediaType(type)) return { content: [{ type: "text", text }] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { content: [{ type: "text", text }] };
  }
  // JSON nested deeper than a result can be written back (a hostile API's `[[[[…`): the text alone.
  if (deeperThan(data, MAX_RESULT_DEPTH)) return { content: [{ type: "text", text }] };
  const structuredContent = isObject(data) && output.wrap !== true ? data : { result: data };
  return { content: [{ type: "text", text }], structuredContent };
}

/** Deepest JSON kept as `structuredContent` (the core writes results recursively). */
const MAX_RESULT_DEPTH = 256;

/** Whether `value` nests arrays or objects more than `max` deep (looked at without recursion). */
function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== "object" || node === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** A resource read's contents; an upstream failure is a JSON-RPC error (404: resource not found). */
export function resourceContents(exchange: Exchange, uri: string, era: Era): ResourceContents[] {
  if (!exchange.ok) throw new McpError(ErrorCode.InternalError, exchange.message);
  const { status, statusText, bytes } = exchange;
  if (status === 404) {
    const code = era === "modern" ? ErrorCode.InvalidParams : ErrorCode.LegacyResourceNotFound;
    throw new McpError(code, `Resource not found: ${uri} (${statusMessage(status, statusText, bytes)})`, {
      uri,
    });
  }
  if (status < 200 || status > 299) {
    throw new McpError(ErrorCode.InternalError, statusMessage(status, statusText, bytes));
  }
  const mimeType = essence(exchange.contentType) || undefined;
  const base = mimeType === undefined ? { uri } : { uri, mimeType };
  return [
    textual(mimeType ?? "") ? { ...base, text: decoder.decode(bytes) } : { ...base, blob: base64(bytes) },
  ];
}
