/** What guards read of a tool: its annotations and title (from the server's registry), and which tools a guard covers. */
import type { McpCall, ToolAnnotations } from "@portico/core";

/** Which tools a guard installed with `server.use` covers: names, or a test on the name. Default: all. */
export type ToolSelector = readonly string[] | ((name: string) => boolean);

interface RegisteredTool {
  config?: { title?: string; annotations?: ToolAnnotations };
}

/** The registered tool a `tools/call` names, if any. */
export function toolOf(call: McpCall, name = call.target): RegisteredTool | undefined {
  if (name === undefined) return undefined;
  return call.definitions.registry<RegisteredTool>("tools").get(name);
}

/** Whether `selector` covers the tool `name` (no selector covers every tool). */
export function covers(selector: ToolSelector | undefined, name: string): boolean {
  if (selector === undefined) return true;
  return typeof selector === "function" ? selector(name) : selector.includes(name);
}

/** The arguments of a `tools/call` (`{}` when absent or not an object: the tool itself refuses those). */
export function argumentsOf(call: McpCall): Record<string, unknown> {
  const args = call.params.arguments;
  return typeof args === "object" && args !== null && !Array.isArray(args)
    ? (args as Record<string, unknown>)
    : {};
}

/** A tool error result: what the model sees, with the guard's facts in `_meta`. */
export function refusal(text: string, meta?: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { content: [{ type: "text", text }], isError: true };
  if (meta !== undefined) result._meta = meta;
  return result;
}
