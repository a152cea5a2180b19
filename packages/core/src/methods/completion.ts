/** `completion/complete`: installed by `addPrompt` and the resource registrations (prompts.ts, resources.ts). */
import type { MethodEnv } from "./table.ts";
import { ErrorCode, McpError } from "../errors.ts";
import type { FeatureMethod, McpServer } from "../definition/server.ts";

export async function complete(
  env: MethodEnv,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const server = env.server;
  const ref = params.ref as Record<string, unknown> | undefined;
  const argument = params.argument as Record<string, unknown> | undefined;
  if (typeof ref !== "object" || ref === null || typeof argument !== "object" || argument === null) {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /ref and /argument are required");
  }
  const argName = argument.name;
  const value = typeof argument.value === "string" ? argument.value : "";
  if (typeof argName !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /argument/name");
  const context = {
    arguments: ((params.context as Record<string, unknown> | undefined)?.arguments ?? {}) as Record<
      string,
      string
    >,
  };
  let values: string[] = [];
  if (ref.type === "ref/prompt") {
    const prompt = server.prompts.get(String(ref.name));
    if (prompt === undefined)
      throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${String(ref.name)}`);
    const completer = prompt.config.arguments?.find((a) => a.name === argName)?.complete;
    if (completer) values = await completer(value, context);
  } else if (ref.type === "ref/resource") {
    const uri = String(ref.uri);
    const template = server.templates.get(uri); // keyed by the template text
    if (template === undefined && !server.resources.has(uri)) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown resource reference: ${uri}`);
    }
    const completer = template?.config.complete?.[argName];
    if (completer) values = await completer(value, context);
  } else {
    throw new McpError(
      ErrorCode.InvalidParams,
      "Invalid params: /ref/type must be ref/prompt or ref/resource",
    );
  }
  const total = values.length;
  return { completion: { values: values.slice(0, 100), total, hasMore: total > 100 } };
}

/** Installs feature methods on the server (idempotent). */
export function install(server: McpServer, methods: Record<string, FeatureMethod>): void {
  for (const [method, impl] of Object.entries(methods)) server.methods.set(method, impl);
}
