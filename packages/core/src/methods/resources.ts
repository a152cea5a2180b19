/**
 * The resources family: `addResource(server, uri, config, read)` and
 * `addResourceTemplate(server, template, config, read)` register; `resources/list`,
 * `resources/templates/list` and `resources/read` serve both eras, `resources/subscribe` and
 * `resources/unsubscribe` the legacy era. A server without resources carries neither this code nor
 * the URI-template parser and matcher.
 */
import { mayUse } from "../auth/scopes.ts";
import type { HandlerContext } from "../definition/context.ts";
import type {
  Definitions,
  McpCall,
  McpParams,
  McpResult,
  MethodFamily,
  Middleware,
} from "../definition/method.ts";
import type { McpServer, Registration } from "../definition/server.ts";
import type { Annotations, Icon, ReadResourceResult, ResourceContents } from "../definition/types.ts";
import { ErrorCode, invalidResult, McpError, PorticoError } from "../errors.ts";
import { UriTemplate } from "../uri-template/index.ts";
import { enabledUse, runChain } from "./chain.ts";
import { COMPLETION, type Completer, checkCompleters } from "./completion.ts";
import { paginate } from "./paginate.ts";
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
  /**
   * OAuth scopes a caller needs, every one, to see this (a template: every resource it matches) in lists and to use it; others get the
   * authenticator's 403 `insufficient_scope` step-up challenge. Default: none (everyone).
   */
  scopes?: readonly string[];
  /** Labels for filtering: `ServerOptions.tags` and `mount`'s `tags` pick definitions by them. */
  tags?: readonly string[];
}

/** A concrete resource a template lists: it shares the template's `use`, `scopes` and `tags`. */
export interface ResourceConfigWithUri extends Omit<ResourceConfig, "use" | "scopes" | "tags"> {
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

/**
 * A registered resource.
 * @internal
 */
export interface ResourceEntry {
  uri: string;
  config: ResourceConfig;
  read: ResourceReader;
}

/**
 * A registered resource template.
 * @internal
 */
export interface TemplateEntry {
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
  return server.register<ResourceEntry>(
    "resources",
    "Resource",
    uri,
    { uri, config: enabledUse(config, `resource "${uri}"`), read },
    "resources",
  );
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
  if (config.list !== undefined && typeof config.list !== "function") {
    throw new PorticoError(
      "invalid_config",
      `The list of resource template "${parsed.template}" must be a function`,
    );
  }
  checkCompleters(`resource template "${parsed.template}"`, config.complete);
  install(server);
  return server.register<TemplateEntry>(
    "templates",
    "Resource template",
    parsed.template,
    { template: parsed, config: enabledUse(config, `resource template "${parsed.template}"`), read },
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

async function listResources({ definitions, params, auth }: McpCall): Promise<McpResult> {
  const all = [...resources(definitions).values()].flatMap((r) =>
    mayUse(auth, r.config) ? [resourceShape(r.uri, r.config)] : [],
  );
  for (const t of templates(definitions).values()) {
    if (t.config.list && mayUse(auth, t.config))
      for (const r of await t.config.list()) all.push(resourceShape(r.uri, r));
  }
  const { page, nextCursor } = paginate(all, params.cursor, definitions.pageSize, "resources");
  return defined({ resources: page, nextCursor });
}

function listTemplates({ definitions, params, auth }: McpCall): McpResult {
  const all = [...templates(definitions).values()].flatMap((t) => {
    if (!mayUse(auth, t.config)) return [];
    const { uri: _u, ...shape } = resourceShape("", t.config);
    return [{ uriTemplate: t.template.template, ...shape }];
  });
  const { page, nextCursor } = paginate(all, params.cursor, definitions.pageSize, "templates");
  return defined({ resourceTemplates: page, nextCursor });
}

/**
 * A reader's return as a `resources/read` result (fixed resources and templates alike). Contents
 * that are not an array of `TextResourceContents`/`BlobResourceContents` fail the call with an
 * internal error (reported, naming the item), instead of going out as a spec-invalid result.
 */
function normaliseRead(returned: ResourceReturn, uri: string, call: McpCall): McpResult {
  const result = returned as unknown;
  const contents = Array.isArray(result)
    ? result
    : typeof result === "object" && result !== null
      ? (result as ReadResourceResult).contents
      : undefined;
  if (!Array.isArray(contents))
    throw invalidResult(call.report, `resource ${uri}`, "its contents must be an array");
  for (let i = 0; i < contents.length; i++) {
    const why = contentsProblem(contents[i]);
    if (why !== undefined) throw invalidResult(call.report, `resource ${uri}`, `contents[${i}] ${why}`);
  }
  return Array.isArray(returned) ? { contents: returned } : { ...returned };
}

/**
 * What makes `item` neither `TextResourceContents` nor `BlobResourceContents` (a string `uri`, a
 * string `text` or `blob`, an optional string `mimeType` and object `_meta`), or `undefined`.
 * Types only: a blob's base64 is not decoded, to keep large reads cheap.
 */
function contentsProblem(item: unknown): string | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return "must be an object";
  const { uri, text, blob, mimeType, _meta } = item as Record<string, unknown>;
  if (typeof uri !== "string") return "needs a string uri";
  if (text === undefined && blob === undefined) return "needs a string text or blob";
  if (text !== undefined && typeof text !== "string") return "text must be a string";
  if (blob !== undefined && typeof blob !== "string") return "blob must be a string (base64)";
  if (mimeType !== undefined && typeof mimeType !== "string") return "mimeType must be a string";
  if (_meta !== undefined && (typeof _meta !== "object" || _meta === null || Array.isArray(_meta)))
    return "_meta must be an object";
  return undefined;
}

function readWith(use: Middleware[] | undefined, call: McpCall, read: (c: McpCall) => Promise<McpResult>) {
  return use === undefined || use.length === 0 ? read(call) : runChain(use, call, read);
}

async function readResource(call: McpCall): Promise<McpResult> {
  const uri = call.params.uri;
  if (typeof uri !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /uri must be a string");
  const found = findResource(call.definitions, uri);
  if (found !== undefined) {
    const { entry, variables } = found;
    return readWith(entry.config.use, call, async (c) =>
      normaliseRead(
        await ("uri" in entry ? entry.read(uri, c.ctx) : entry.read(uri, variables ?? {}, c.ctx)),
        uri,
        c,
      ),
    );
  }
  const code = call.era === "modern" ? ErrorCode.InvalidParams : ErrorCode.LegacyResourceNotFound;
  // The client's own URI, quoted in part: a long one is not worth echoing (or logging) whole.
  throw new McpError(code, `Resource not found: ${uri.slice(0, 200)}`, {
    uri: uri.slice(0, MAX_SUBSCRIBED_URI),
  });
}

/** The resource `uri` names: a fixed one, else the first template that matches it. */
function findResource(
  definitions: Definitions,
  uri: string,
): { entry: ResourceEntry | TemplateEntry; variables?: Record<string, string | string[]> } | undefined {
  const fixed = resources(definitions).get(uri);
  if (fixed !== undefined) return { entry: fixed };
  for (const t of templates(definitions).values()) {
    const variables = t.template.match(uri);
    if (variables !== undefined) return { entry: t, variables };
  }
  return undefined;
}

/** The scopes reading (or subscribing to) the resource `params.uri` needs. */
function resourceScopes(params: McpParams, definitions: Definitions): readonly string[] | undefined {
  return typeof params.uri === "string"
    ? findResource(definitions, params.uri)?.entry.config.scopes
    : undefined;
}

/** Most resources one legacy session may subscribe to, and the longest URI it may subscribe to. */
export const MAX_SUBSCRIPTIONS = 100;
export const MAX_SUBSCRIBED_URI = 2048;

/**
 * The resource a client may subscribe to as `uri` (legacy `resources/subscribe`, modern
 * `subscriptions/listen`), or `undefined`: a URI of at most `MAX_SUBSCRIBED_URI` characters that
 * names a resource the server has (a fixed one, or one a template matches) — "servers MUST
 * validate all resource URIs". Its `scopes` are what subscribing needs.
 */
export function subscribable(
  definitions: Definitions,
  uri: string,
): { scopes?: readonly string[] } | undefined {
  if (uri.length > MAX_SUBSCRIBED_URI) return undefined;
  return findResource(definitions, uri)?.entry.config;
}

/**
 * Legacy `resources/subscribe` and `resources/unsubscribe`: the session's subscriptions. The
 * session record holds them, so they are bounded (`MAX_SUBSCRIPTIONS` URIs of at most
 * `MAX_SUBSCRIBED_URI` characters), and only a URI the server has (a resource, or one a template
 * matches) can be subscribed to ({@link subscribable}).
 */
async function subscription(call: McpCall): Promise<McpResult> {
  const uri = call.params.uri;
  if (typeof uri !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /uri must be a string");
  const add = call.method === "resources/subscribe";
  if (add && subscribable(call.definitions, uri) === undefined) {
    throw new McpError(ErrorCode.LegacyResourceNotFound, `Resource not found: ${uri.slice(0, 200)}`, {
      uri: uri.slice(0, MAX_SUBSCRIBED_URI),
    });
  }
  await call.session?.update((s) => {
    if (!add) return { ...s, subscriptions: s.subscriptions.filter((u) => u !== uri) };
    if (s.subscriptions.includes(uri)) return s;
    if (s.subscriptions.length >= MAX_SUBSCRIPTIONS) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        `Too many subscriptions: a session may subscribe to at most ${MAX_SUBSCRIPTIONS} resources (unsubscribe from one first)`,
      );
    }
    return { ...s, subscriptions: [...s.subscriptions, uri] };
  });
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
    "resources/read": {
      eras: BOTH,
      cacheable: true,
      mrtr: true,
      nameParam: "uri",
      scopes: resourceScopes,
      handler: readResource,
    },
    "resources/subscribe": { eras: ["legacy"], scopes: resourceScopes, handler: subscription },
    "resources/unsubscribe": { eras: ["legacy"], handler: subscription },
  },
  available: hasResources,
  capabilities: (d) => (hasResources(d) ? { resources: { subscribe: true, listChanged: true } } : undefined),
};
