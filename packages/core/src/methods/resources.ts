/**
 * The resources family: `addResource(server, uri, config, read)` and
 * `addResourceTemplate(server, template, config, read)` register; `resources/list`,
 * `resources/templates/list` and `resources/read` serve both eras, `resources/subscribe` and
 * `resources/unsubscribe` the legacy era. A server without resources carries neither this code nor
 * the URI-template parser and matcher.
 */
import type { HandlerContext } from "../definition/context.ts";
import type { Definitions, McpCall, McpResult, MethodFamily, Middleware } from "../definition/method.ts";
import type { McpServer, Registration } from "../definition/server.ts";
import type { Annotations, Icon, ReadResourceResult, ResourceContents } from "../definition/types.ts";
import { ErrorCode, McpError, PorticoError } from "../errors.ts";
import { UriTemplate } from "../uri-template/index.ts";
import { paginate } from "./_paginate.ts";
import { runChain } from "./chain.ts";
import { COMPLETION, type Completer } from "./completion.ts";
import { defined } from "./table.ts";

export interface ResourceConfig {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  icons?: Icon[];
  annotations?: Annotations;
  _meta?: Record<string, unknown>;
  /** Middleware for reads of this resource (or template) only, inside the server's (`server.use`). */
  use?: Middleware[];
}

export interface ResourceConfigWithUri extends Omit<ResourceConfig, "use"> {
  uri: string;
}

export interface ResourceTemplateConfig extends ResourceConfig {
  /** Completions per template variable. */
  complete?: Record<string, Completer>;
  /** Lists concrete resources of this template in `resources/list`. */
  list?: () => ResourceConfigWithUri[] | Promise<ResourceConfigWithUri[]>;
}

/** A resource reader may return a full result or just the contents. */
export type ResourceReturn = ReadResourceResult | ResourceContents[];

export type ResourceReader = (uri: string, ctx: HandlerContext) => ResourceReturn | Promise<ResourceReturn>;

export type ResourceTemplateReader = (
  uri: string,
  variables: Record<string, string | string[]>,
  ctx: HandlerContext,
) => ResourceReturn | Promise<ResourceReturn>;

interface ResourceEntry {
  uri: string;
  config: ResourceConfig;
  read: ResourceReader;
}

interface TemplateEntry {
  template: UriTemplate;
  config: ResourceTemplateConfig;
  read: ResourceTemplateReader;
}

const resources = (d: Definitions) => d.registry<ResourceEntry>("resources");
const templates = (d: Definitions) => d.registry<TemplateEntry>("templates");

function checkConfig(what: string, key: string, config: ResourceConfig, read: unknown): void {
  if (
    typeof config !== "object" ||
    config === null ||
    typeof config.name !== "string" ||
    config.name === ""
  ) {
    throw new PorticoError("invalid_config", `${what} "${key}" needs a config with a name`);
  }
  if (typeof read !== "function")
    throw new PorticoError(
      "invalid_handler",
      `The reader of ${what.toLowerCase()} "${key}" must be a function`,
    );
}

/**
 * Registers a fixed-URI resource; `read(uri, ctx)` returns contents or a full result. Adding or
 * removing one at run time emits `notifications/resources/list_changed`.
 */
export function addResource(
  server: McpServer,
  uri: string,
  config: ResourceConfig,
  read: ResourceReader,
): Registration {
  if (typeof uri !== "string" || uri === "") throw new PorticoError("invalid_name", "A resource needs a URI");
  checkConfig("Resource", uri, config, read);
  install(server);
  return server.register<ResourceEntry>("resources", "Resource", uri, { uri, config, read }, "resources");
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
  read: ResourceTemplateReader,
): Registration {
  const parsed = typeof template === "string" ? new UriTemplate(template) : template;
  checkConfig("Resource template", parsed.template, config, read);
  install(server);
  return server.register<TemplateEntry>(
    "templates",
    "Resource template",
    parsed.template,
    { template: parsed, config, read },
    "resources",
  );
}

function install(server: McpServer): void {
  server.install(RESOURCES);
  server.install(COMPLETION);
}

function resourceShape(uri: string, c: ResourceConfig): McpResult {
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

async function listResources({ definitions, params }: McpCall): Promise<McpResult> {
  const all = [...resources(definitions).values()].map((r) => resourceShape(r.uri, r.config));
  for (const t of templates(definitions).values()) {
    if (t.config.list) for (const r of await t.config.list()) all.push(resourceShape(r.uri, r));
  }
  const { page, nextCursor } = paginate(all, params.cursor, definitions.pageSize);
  return defined({ resources: page, nextCursor });
}

function listTemplates({ definitions, params }: McpCall): McpResult {
  const all = [...templates(definitions).values()].map((t) => {
    const { uri: _u, ...shape } = resourceShape("", t.config);
    return { uriTemplate: t.template.template, ...shape };
  });
  const { page, nextCursor } = paginate(all, params.cursor, definitions.pageSize);
  return defined({ resourceTemplates: page, nextCursor });
}

function normaliseRead(returned: ResourceReturn): McpResult {
  return Array.isArray(returned) ? { contents: returned } : { ...returned };
}

function readWith(use: Middleware[] | undefined, call: McpCall, read: (c: McpCall) => Promise<McpResult>) {
  return use === undefined || use.length === 0 ? read(call) : runChain(use, call, read);
}

async function readResource(call: McpCall): Promise<McpResult> {
  const uri = call.params.uri;
  if (typeof uri !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /uri must be a string");
  const fixed = resources(call.definitions).get(uri);
  if (fixed !== undefined) {
    return readWith(fixed.config.use, call, async (c) => normaliseRead(await fixed.read(uri, c.ctx)));
  }
  for (const t of templates(call.definitions).values()) {
    const variables = t.template.match(uri);
    if (variables !== undefined) {
      return readWith(t.config.use, call, async (c) => normaliseRead(await t.read(uri, variables, c.ctx)));
    }
  }
  const code = call.era === "modern" ? ErrorCode.InvalidParams : ErrorCode.LegacyResourceNotFound;
  throw new McpError(code, `Resource not found: ${uri}`, { uri });
}

/** Legacy `resources/subscribe` and `resources/unsubscribe`: the session's subscriptions. */
async function subscription(call: McpCall): Promise<McpResult> {
  const uri = call.params.uri;
  if (typeof uri !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /uri must be a string");
  const add = call.method === "resources/subscribe";
  await call.session?.update((s) => ({
    ...s,
    subscriptions: add ? [...new Set([...s.subscriptions, uri])] : s.subscriptions.filter((u) => u !== uri),
  }));
  return {};
}

const BOTH = ["modern", "legacy"] as const;
const hasResources = (d: Definitions) => resources(d).size > 0 || templates(d).size > 0;

/** The resources family. */
export const RESOURCES: MethodFamily = {
  name: "resources",
  methods: {
    "resources/list": { eras: BOTH, cacheable: true, handler: listResources },
    "resources/templates/list": { eras: BOTH, cacheable: true, handler: listTemplates },
    "resources/read": { eras: BOTH, cacheable: true, mrtr: true, nameParam: "uri", handler: readResource },
    "resources/subscribe": { eras: ["legacy"], handler: subscription },
    "resources/unsubscribe": { eras: ["legacy"], handler: subscription },
  },
  available: hasResources,
  capabilities: (d) => (hasResources(d) ? { resources: { subscribe: true, listChanged: true } } : undefined),
};
