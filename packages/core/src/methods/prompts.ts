/**
 * Prompts: `addPrompt(server, name, config, get)`. A function rather than an McpServer method, so a
 * server without prompts carries none of this code.
 */
import { complete, install } from "./completion.ts";
import { defined, type MethodEnv } from "./table.ts";
import { paginate } from "./paginate.ts";
import { ErrorCode, McpError } from "../errors.ts";
import type { McpServer, PromptConfig, PromptEntry, Registration } from "../definition/server.ts";

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

function listPrompts({ server }: MethodEnv, params: Params): Result {
  const all = [...server.prompts.values()].map((p) =>
    defined({
      name: p.name,
      title: p.config.title,
      description: p.config.description,
      arguments: p.config.arguments?.map((a) =>
        defined({ name: a.name, title: a.title, description: a.description, required: a.required }),
      ),
      icons: p.config.icons,
      _meta: p.config._meta,
    }),
  );
  const { page, nextCursor } = paginate(all, params.cursor, server.pageSize);
  return defined({ prompts: page, nextCursor });
}

async function getPrompt(env: MethodEnv, params: Params): Promise<Result> {
  const name = params.name;
  if (typeof name !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /name must be a string");
  const prompt = env.server.prompts.get(name);
  if (prompt === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`, { name });
  const raw = params.arguments ?? {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /arguments must be an object");
  }
  const args: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "string") {
      throw new McpError(ErrorCode.InvalidParams, `Invalid params: /arguments/${key} must be a string`);
    }
    args[key] = value;
  }
  const missing = (prompt.config.arguments ?? []).filter((a) => a.required && args[a.name] === undefined);
  if (missing.length > 0) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid params: missing required arguments ${missing.map((a) => `/arguments/${a.name}`).join(", ")}`,
    );
  }
  return { ...(await prompt.get(args, env.ctx)) };
}

/**
 * Registers a prompt with `arguments` (each may have `complete`); `get(args, ctx)` returns the
 * messages. Adding or removing one at run time emits `notifications/prompts/list_changed`.
 */
export function addPrompt(
  server: McpServer,
  name: string,
  config: PromptConfig,
  get: PromptEntry["get"],
): Registration {
  install(server, { "prompts/list": listPrompts, "prompts/get": getPrompt, "completion/complete": complete });
  return server.register("Prompt", "prompts", server.prompts, name, { name, config, get });
}
