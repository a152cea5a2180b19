/** Method implementations both eras share: lists, reads, prompts, completion. */
import { paginate } from "./_paginate.ts";
import { callTool, type ErrorReporter, findTool } from "./_tool-call.ts";
import type { Era, HandlerContext } from "./context.ts";
import { ErrorCode, McpError } from "./errors.ts";
import type { McpServer, ResourceConfig, ResourceReturn } from "./server.ts";
import type { ReadResourceResult } from "./types.ts";

export interface MethodEnv {
  server: McpServer;
  era: Era;
  ctx: HandlerContext;
  report: ErrorReporter;
}

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

function defined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

function resourceShape(uri: string, c: ResourceConfig): Result {
  return defined({
    uri,
    name: c.name,
    title: c.title,
    description: c.description,
    mimeType: c.mimeType,
    size: c.size,
    icons: c.icons,
    annotations: c.annotations,
    _meta: c._meta,
  });
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

export async function listResources(server: McpServer, params: Params): Promise<Result> {
  const all = [...server.resources.values()].map((r) => resourceShape(r.uri, r.config));
  for (const t of server.templates.values()) {
    if (t.config.list) for (const r of await t.config.list()) all.push(resourceShape(r.uri, r));
  }
  const { page, nextCursor } = paginate(all, params.cursor, server.pageSize);
  return defined({ resources: page, nextCursor });
}

export function listTemplates(server: McpServer, params: Params): Result {
  const all = [...server.templates.values()].map((t) => {
    const { uri: _u, ...shape } = resourceShape("", t.config);
    return { uriTemplate: t.template.template, ...shape };
  });
  const { page, nextCursor } = paginate(all, params.cursor, server.pageSize);
  return defined({ resourceTemplates: page, nextCursor });
}

function normaliseRead(returned: ResourceReturn): ReadResourceResult {
  return Array.isArray(returned) ? { contents: returned } : returned;
}

export async function readResource(env: MethodEnv, params: Params): Promise<Result> {
  const uri = params.uri;
  if (typeof uri !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /uri must be a string");
  const fixed = env.server.resources.get(uri);
  if (fixed !== undefined) return { ...normaliseRead(await fixed.read(uri, env.ctx)) };
  for (const t of env.server.templates.values()) {
    const variables = t.template.match(uri);
    if (variables !== undefined) return { ...normaliseRead(await t.read(uri, variables, env.ctx)) };
  }
  const code = env.era === "modern" ? ErrorCode.InvalidParams : ErrorCode.LegacyResourceNotFound;
  throw new McpError(code, `Resource not found: ${uri}`, { uri });
}

export function listPrompts(server: McpServer, params: Params): Result {
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

export async function getPrompt(env: MethodEnv, params: Params): Promise<Result> {
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

export async function complete(server: McpServer, params: Params): Promise<Result> {
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
    const template = [...server.templates.values()].find((t) => t.template.template === uri);
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
    case "resources/list":
      return listResources(env.server, params);
    case "resources/templates/list":
      return listTemplates(env.server, params);
    case "resources/read":
      return readResource(env, params);
    case "prompts/list":
      return listPrompts(env.server, params);
    case "prompts/get":
      return getPrompt(env, params);
    case "completion/complete":
      return complete(env.server, params);
    default:
      return undefined;
  }
}

function hasFamily(server: McpServer, family: string): boolean {
  if (family === "tools") return server.tools.size > 0;
  if (family === "prompts") return server.prompts.size > 0;
  return server.resources.size > 0 || server.templates.size > 0;
}

/** Capabilities implied by what the server defines. */
export function serverCapabilities(server: McpServer): Result {
  const caps: Result = { completions: {}, logging: {} };
  if (server.tools.size > 0) caps.tools = { listChanged: true };
  if (server.resources.size > 0 || server.templates.size > 0)
    caps.resources = { subscribe: true, listChanged: true };
  if (server.prompts.size > 0) caps.prompts = { listChanged: true };
  return caps;
}
