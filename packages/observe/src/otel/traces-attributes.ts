/**
 * The name and attributes of an MCP request's server span, after the OpenTelemetry MCP semantic
 * conventions (`{mcp.method.name} {target}`, `mcp.*`, `gen_ai.*`, `jsonrpc.request.id`,
 * `error.type`, `rpc.response.status_code`), plus Portico's own `portico.*`.
 */
import type * as otel from "@opentelemetry/api";
import type { McpCall } from "@portico/core";
import { type Ending, errorType } from "../outcome.ts";
import { type Redactor, redactText } from "../redact.ts";

/** The methods whose target is a resource URI (`mcp.resource.uri`). */
const RESOURCE_METHODS = new Set(["resources/read", "resources/subscribe", "resources/unsubscribe"]);

/** The resource URI a call names, for the resource methods. */
function resourceUri(call: McpCall): string | undefined {
  if (!RESOURCE_METHODS.has(call.method)) return undefined;
  const uri = call.target ?? call.params.uri;
  return typeof uri === "string" ? uri : undefined;
}

/**
 * `tools/call add`, `prompts/get greet`; other methods by their name alone — a resource URI only
 * with `resourceUriInName` (URIs are unbounded: a span name should not be).
 */
export function spanName(call: McpCall, resourceUriInName: boolean): string {
  const { method, target } = call;
  if (target !== undefined && (method === "tools/call" || method === "prompts/get"))
    return `${method} ${nameText(target)}`;
  const uri = resourceUriInName ? resourceUri(call) : undefined;
  return uri === undefined ? method : `${method} ${nameText(uri)}`;
}

/** Longest tool or prompt name (or URI in a span name) kept whole: the client chose it, a made-up one may be huge. */
const MAX_NAME = 256;

/** A name the client sent, as a span shows it: cut, its credentials (in a URI) redacted. */
function nameText(name: string): string {
  return redactText(name.length > MAX_NAME ? `${name.slice(0, MAX_NAME)}…` : name);
}

export interface StartOptions {
  readonly coldStart: boolean;
  /** Redacts the tool's arguments for `gen_ai.tool.call.arguments`; `undefined`: left out. */
  readonly redactArguments: Redactor | undefined;
}

/** The attributes known when the request starts (given to the sampler). */
export function startAttributes(call: McpCall, options: StartOptions): otel.Attributes {
  const attributes: otel.Attributes = {
    "mcp.method.name": call.method,
    "jsonrpc.request.id": String(call.requestId),
    "mcp.protocol.version": call.protocolVersion,
    "network.transport": "tcp",
    "network.protocol.name": "http",
    "portico.era": call.era,
    "portico.cold_start": options.coldStart,
  };
  if (call.sessionId !== undefined) attributes["mcp.session.id"] = call.sessionId;
  // The host's id of the HTTP request (Lambda's awsRequestId, CF-Ray, x-vercel-id, X-Request-Id).
  if (call.hostRequestId !== undefined) attributes["portico.host_request_id"] = call.hostRequestId;
  if (call.method === "tools/call") {
    attributes["gen_ai.operation.name"] = "execute_tool";
    if (call.target !== undefined) attributes["gen_ai.tool.name"] = nameText(call.target);
    const args = call.params.arguments;
    if (options.redactArguments !== undefined && args !== undefined) {
      const redacted = options.redactArguments({ arguments: args }).arguments;
      attributes["gen_ai.tool.call.arguments"] = JSON.stringify(redacted);
    }
  } else if (call.method === "prompts/get") {
    if (call.target !== undefined) attributes["gen_ai.prompt.name"] = nameText(call.target);
  } else {
    const uri = resourceUri(call);
    if (uri !== undefined) attributes["mcp.resource.uri"] = redactText(uri);
  }
  return attributes;
}

/** How a failed request shows on its span. */
export interface Failure {
  /** `error.type`: the JSON-RPC code (`"-32602"`), `tool_error`, `cancelled` or the error's name. */
  readonly type: string;
  /** `rpc.response.status_code`: the JSON-RPC code the client got, as a string. */
  readonly code?: string;
  /** The status description. */
  readonly message?: string;
  /** A crash, recorded as the span's exception event. */
  readonly exception?: otel.Exception;
}

/** The failure of an ending, or `undefined` when it succeeded (`ok`, `input_required`). */
export function failureOf(ending: Ending): Failure | undefined {
  const type = errorType(ending);
  if (type === undefined) return undefined;
  const error = ending.fields.error as { code?: unknown; message?: unknown; stack?: unknown } | undefined;
  const failure: { type: string; code?: string; message?: string; exception?: otel.Exception } = { type };
  // Credentials in an error's text stay out of the trace backend, as out of the log lines.
  if (typeof error?.message === "string") failure.message = redactText(error.message);
  if (ending.outcome !== "error") return failure;
  if (typeof error?.code === "number") {
    failure.code = type;
    return failure;
  }
  // A crash: recorded as the span's exception event too.
  const exception: { name: string; message?: string; stack?: string } = { name: type };
  if (failure.message !== undefined) exception.message = failure.message;
  if (typeof error?.stack === "string") exception.stack = redactText(error.stack);
  failure.exception = exception;
  return failure;
}
