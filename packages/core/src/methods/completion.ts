/**
 * The completion family: `completion/complete` for prompt arguments and resource-template
 * variables. Installed by `addPrompt` and the resource registrations.
 */
import type { HandlerContext } from "../definition/context.ts";
import type { Definitions, McpCall, McpParams, McpResult, MethodFamily } from "../definition/method.ts";
import { ErrorCode, McpError, PorticoError } from "../errors.ts";

/**
 * Completes one argument: `value` is what the user typed so far, `context` the arguments already
 * chosen, `ctx` the call's context (its caller's `auth`, `signal`, `logger`… as a tool gets it).
 */
export type Completer = (
  value: string,
  context: CompletionContext,
  ctx: HandlerContext,
) => string[] | Promise<string[]>;

export interface CompletionContext {
  /** Other arguments already chosen (`context.arguments` of the request). */
  arguments: Record<string, string>;
}

/** What completion reads of a prompt and of a resource template. */
interface CompletablePrompt {
  config: { complete?: Record<string, Completer | undefined> | undefined };
}
interface CompletableTemplate {
  config: { complete?: Record<string, Completer> | undefined };
}

async function complete(call: McpCall): Promise<McpResult> {
  const { params, definitions } = call;
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
    if (typeof ref.name !== "string")
      throw new McpError(ErrorCode.InvalidParams, "Invalid params: /ref/name must be a string");
    const prompt = definitions.registry<CompletablePrompt>("prompts").get(ref.name);
    if (prompt === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${ref.name}`);
    const completer = prompt.config.complete?.[argName];
    if (completer) values = await completer(value, context, call.ctx);
  } else if (ref.type === "ref/resource") {
    if (typeof ref.uri !== "string")
      throw new McpError(ErrorCode.InvalidParams, "Invalid params: /ref/uri must be a string");
    const uri = ref.uri;
    const template = definitions.registry<CompletableTemplate>("templates").get(uri); // keyed by the template text
    if (template === undefined && !definitions.registry("resources").has(uri)) {
      throw new McpError(ErrorCode.InvalidParams, `Unknown resource reference: ${uri}`);
    }
    const completer = template?.config.complete?.[argName];
    if (completer) values = await completer(value, context, call.ctx);
  } else {
    throw new McpError(
      ErrorCode.InvalidParams,
      "Invalid params: /ref/type must be ref/prompt or ref/resource",
    );
  }
  const total = values.length;
  return { completion: { values: values.slice(0, 100), total, hasMore: total > 100 } };
}

/** Completing a prompt's or a template's arguments needs the scopes using it does. */
function refScopes(params: McpParams, definitions: Definitions): readonly string[] | undefined {
  const ref = params.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
  if (typeof ref !== "object" || ref === null) return undefined;
  if (ref.type === "ref/prompt" && typeof ref.name === "string")
    return definitions.registry<Scoped>("prompts").get(ref.name)?.config.scopes;
  if (ref.type === "ref/resource" && typeof ref.uri === "string")
    return (
      definitions.registry<Scoped>("templates").get(ref.uri) ??
      definitions.registry<Scoped>("resources").get(ref.uri)
    )?.config.scopes;
  return undefined;
}

interface Scoped {
  config: { scopes?: readonly string[] };
}

/** The completion family. */
export const COMPLETION: MethodFamily = {
  name: "completion",
  methods: { "completion/complete": { eras: ["modern", "legacy"], scopes: refScopes, handler: complete } },
  capabilities: () => ({ completions: {} }),
};

/** A `complete` config: an object of completer functions, refused at registration otherwise. */
export function checkCompleters(what: string, complete: unknown): void {
  if (complete === undefined) return;
  if (
    typeof complete !== "object" ||
    complete === null ||
    !Object.values(complete).every((completer) => typeof completer === "function")
  ) {
    throw new PorticoError(
      "invalid_config",
      `The complete of ${what} must be an object of completer functions`,
    );
  }
}
