/**
 * Resources and resource templates: `addResource(server, uri, config, read)` and
 * `addResourceTemplate(server, template, config, read)`. Functions rather than McpServer methods,
 * so a server without resources carries neither this code nor the URI-template parser and matcher.
 */
import { complete, install } from "./completion.ts";
import { defined, type MethodEnv } from "./table.ts";
import { paginate } from "./paginate.ts";
import { ErrorCode, McpError } from "../errors.ts";
import type {
  McpServer,
  Registration,
  ResourceConfig,
  ResourceEntry,
  ResourceReturn,
  ResourceTemplateConfig,
  ResourceTemplateEntry,
} from "../definition/server.ts";
import type { ReadResourceResult } from "../definition/types.ts";
import { UriTemplate } from "../uri-template/uri-template.ts";

type Params = Record<string, unknown>;
type Result = Record<string, unknown>;

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

async function listResources({ server }: MethodEnv, params: Params): Promise<Result> {
  const all = [...server.resources.values()].map((r) => resourceShape(r.uri, r.config));
  for (const t of server.templates.values()) {
    if (t.config.list) for (const r of await t.config.list()) all.push(resourceShape(r.uri, r));
  }
  const { page, nextCursor } = paginate(all, params.cursor, server.pageSize);
  return defined({ resources: page, nextCursor });
}

function listTemplates({ server }: MethodEnv, params: Params): Result {
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

async function readResource(env: MethodEnv, params: Params): Promise<Result> {
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

function installResources(server: McpServer): void {
  install(server, {
    "resources/list": listResources,
    "resources/templates/list": listTemplates,
    "resources/read": readResource,
    "completion/complete": complete,
  });
}

/**
 * Registers a fixed-URI resource; `read(uri, ctx)` returns contents or a full result. Adding or
 * removing one at run time emits `notifications/resources/list_changed`.
 */
export function addResource(
  server: McpServer,
  uri: string,
  config: ResourceConfig,
  read: ResourceEntry["read"],
): Registration {
  installResources(server);
  return server.register("Resource", "resources", server.resources, uri, { uri, config, read });
}

/**
 * Registers an RFC 6570 resource template (`"notes://{id}"`, or a `UriTemplate`);
 * `read(uri, variables, ctx)`. `config.complete` completes variables, `config.list` lists concrete
 * resources in `resources/list`. A malformed template throws `UriTemplateError`.
 */
export function addResourceTemplate(
  server: McpServer,
  template: string | UriTemplate,
  config: ResourceTemplateConfig,
  read: ResourceTemplateEntry["read"],
): Registration {
  const parsed = typeof template === "string" ? new UriTemplate(template) : template;
  installResources(server);
  return server.register("Resource template", "resources", server.templates, parsed.template, {
    template: parsed,
    config,
    read,
  });
}
