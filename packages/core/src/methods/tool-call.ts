/** `tools/call`: argument validation, the handler, result normalisation and safe failures. */

import type { HandlerContext } from "../definition/context.ts";
import type { McpCall } from "../definition/method.ts";
import type { CompiledSchema } from "../definition/schema.ts";
import { describeIssues } from "../definition/schema.ts";
import type { CallToolResult } from "../definition/types.ts";
import { ErrorCode, InputRequiredSignal, McpError, TaskStartSignal } from "../errors.ts";
import { isInstance } from "../util/is-instance.ts";
import { isThenable } from "../util/thenable.ts";

/**
 * Throw from a tool to fail it with a message the client may see (an `isError` result). Any
 * other error is reported to the client without its message, and logged on the server.
 */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ToolError";
  }
}

/** What `tools/call` needs of a registered tool. */
export interface CallableTool {
  name: string;
  input: CompiledSchema | undefined;
  output: CompiledSchema | undefined;
  handler: (args: unknown, ctx: HandlerContext) => CallToolResult | string | Promise<CallToolResult | string>;
}

function failed(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** Whether `item` is a content block a client can read: its `type`, and the fields that type needs. */
function isContentBlock(item: unknown): boolean {
  if (typeof item !== "object" || item === null) return false;
  const block = item as Record<string, unknown>;
  switch (block.type) {
    case "text":
      return typeof block.text === "string";
    case "image":
    case "audio":
      return typeof block.data === "string" && typeof block.mimeType === "string";
    case "resource_link":
      return typeof block.uri === "string" && typeof block.name === "string";
    case "resource": {
      const resource = block.resource as { uri?: unknown } | null | undefined;
      return typeof resource === "object" && resource !== null && typeof resource.uri === "string";
    }
    default:
      return false;
  }
}

/**
 * What makes a tool's result one the protocol cannot carry, or `undefined`: `content` must be an
 * array of content blocks, `isError` a boolean, and `structuredContent` — any JSON value at
 * 2026-07-28 — an object in the 2025 era.
 */
function resultProblem(result: unknown, era: McpCall["era"]): string | undefined {
  if (typeof result !== "object" || result === null) return "not an object";
  const r = result as Record<string, unknown>;
  if (!Array.isArray(r.content)) return "content is not an array";
  const bad = r.content.findIndex((item) => !isContentBlock(item));
  if (bad !== -1) return `content[${bad}] is not a content block`;
  if (r.isError !== undefined && typeof r.isError !== "boolean") return "isError is not a boolean";
  const structured = r.structuredContent;
  if (
    era === "legacy" &&
    structured !== undefined &&
    (typeof structured !== "object" || structured === null || Array.isArray(structured))
  ) {
    return "structuredContent is not an object (required up to protocol 2025-11-25)";
  }
  return undefined;
}

export async function callTool(tool: CallableTool, call: McpCall): Promise<CallToolResult> {
  const raw = call.params.arguments ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /arguments must be an object");
  }
  let args: unknown = raw;
  if (tool.input !== undefined) {
    const checked = await tool.input.validate(raw);
    if (!checked.ok)
      return failed(`Invalid arguments for tool ${tool.name}: ${describeIssues(checked.issues)}`);
    args = checked.value;
  }
  const ctx = call.ctx;
  let result: CallToolResult;
  try {
    const pending = tool.handler(args, ctx);
    const returned = isThenable(pending) ? await pending : pending;
    result = typeof returned === "string" ? { content: [{ type: "text", text: returned }] } : returned;
  } catch (error) {
    // Whatever was thrown, looking at it never throws (a Proxy's traps): it is what gets reported.
    if (
      isInstance(error, InputRequiredSignal) ||
      isInstance(error, McpError) ||
      isInstance(error, TaskStartSignal)
    )
      throw error;
    if (isInstance(error, ToolError)) return failed(error.message);
    if (ctx.signal.aborted) throw new McpError(ErrorCode.InternalError, "Request cancelled");
    call.report(error, `tool ${tool.name}`);
    return failed(`Tool ${tool.name} failed with an internal error`);
  }
  const invalid = resultProblem(result, call.era);
  if (invalid !== undefined) {
    call.report(new Error(`tool ${tool.name} returned an invalid result: ${invalid}`), `tool ${tool.name}`);
    return failed(`Tool ${tool.name} returned an invalid result`);
  }
  if (tool.output !== undefined && result.isError !== true) {
    if (result.structuredContent === undefined) {
      call.report(
        new Error(`tool ${tool.name} has an output schema but returned no structuredContent`),
        `tool ${tool.name}`,
      );
      return failed(`Tool ${tool.name} returned no structured content`);
    }
    const checked = await tool.output.validate(result.structuredContent);
    if (!checked.ok) {
      call.report(
        new Error(`tool ${tool.name} output invalid: ${describeIssues(checked.issues)}`),
        `tool ${tool.name}`,
      );
      return failed(`Tool ${tool.name} returned structured content that does not match its output schema`);
    }
  }
  // The result type is the protocol's to set (`"task"` is reserved for a CreateTaskResult).
  if ("resultType" in result) {
    const { resultType: _ignored, ...rest } = result as CallToolResult & { resultType?: unknown };
    result = rest;
  }
  if (result.structuredContent !== undefined && result.content.length === 0) {
    result = { ...result, content: [{ type: "text", text: JSON.stringify(result.structuredContent) }] };
  }
  return result;
}
