/**
 * Method implementations both eras share: tools here; resources, prompts and completion as
 * installed on the server by their registration functions (resources.ts, prompts.ts).
 */
import { paginate } from "./paginate.ts";
import { callTool, type ErrorReporter, findTool } from "./tool-call.ts";
import type { Era, HandlerContext } from "../definition/context.ts";
import { ErrorCode, McpError } from "../errors.ts";
import type { McpServer } from "../definition/server.ts";

export interface MethodEnv {
  server: McpServer;
  era: Era;
  ctx: HandlerContext;
  report: ErrorReporter;
}

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

export function defined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

export function listTools(server: McpServer, params: Params): Result {
  const all = [...server.tools.values()].map((t) =>
    defined({
      name: t.name,
      title: t.config.title,
      description: t.config.description,
      inputSchema: t.input?.jsonSchema ?? { type: "object", properties: {} },
      outputSchema: t.output?.jsonSchema,
      annotations: t.config.annotations,
      icons: t.config.icons,
      _meta: t.config._meta,
    }),
  );
  const { page, nextCursor } = paginate(all, params.cursor, server.pageSize);
  return defined({ tools: page, nextCursor });
}

const FAMILIES = new Set(["tools", "resources", "prompts"]);

/** Dispatches the methods both eras share; `undefined` when the method is not one of them. */
export async function sharedMethod(
  method: string,
  params: Params,
  env: MethodEnv,
): Promise<Result | undefined> {
  const family = method.slice(0, method.indexOf("/"));
  if (FAMILIES.has(family) && !hasFamily(env.server, family)) {
    throw new McpError(
      ErrorCode.MethodNotFound,
      `Method not found: ${method} (this server has no ${family})`,
    );
  }
  switch (method) {
    case "tools/list":
      return listTools(env.server, params);
    case "tools/call":
      return { ...(await callTool(findTool(env.server, params), params, env.ctx, env.report)) };
    default: {
      const feature = env.server.methods.get(method);
      if (feature !== undefined) return feature(env, params);
      if (method === "completion/complete")
        throw new McpError(
          ErrorCode.MethodNotFound,
          `Method not found: ${method} (this server has no prompts or resources)`,
        );
      return undefined;
    }
  }
}

function hasFamily(server: McpServer, family: string): boolean {
  if (family === "tools") return server.tools.size > 0;
  if (family === "prompts") return server.prompts.size > 0;
  return server.resources.size > 0 || server.templates.size > 0;
}

/** Capabilities implied by what the server defines. */
export function serverCapabilities(server: McpServer): Result {
  const caps: Result = { logging: {} };
  if (server.methods.has("completion/complete")) caps.completions = {};
  if (server.tools.size > 0) caps.tools = { listChanged: true };
  if (server.resources.size > 0 || server.templates.size > 0)
    caps.resources = { subscribe: true, listChanged: true };
  if (server.prompts.size > 0) caps.prompts = { listChanged: true };
  return caps;
}
