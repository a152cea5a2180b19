/**
 * The server definition: tools here; resources, resource templates and prompts (with their
 * completions) through the registration functions of resources.ts and prompts.ts. A definition is
 * runtime-free; `createHandler(server, options)` turns it into a fetch handler.
 */
import type { HandlerContext } from "./context.ts";
import { PorticoError } from "../errors.ts";
import { type CompiledSchema, compileSchema, type InferSchema, type SchemaLike } from "./schema.ts";
import type {
  Annotations,
  CallToolResult,
  GetPromptResult,
  Icon,
  Implementation,
  ReadResourceResult,
  ResourceContents,
  ToolAnnotations,
} from "./types.ts";
import type { UriTemplate } from "../uri-template/uri-template.ts";
import type { MethodEnv } from "../methods/table.ts";

const TOOL_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;

export interface ToolConfig<I extends SchemaLike | undefined, O extends SchemaLike | undefined> {
  title?: string;
  description: string;
  /** Input schema (Standard Schema or JSON Schema). Arguments are validated before the handler runs. */
  input?: I;
  /** Output schema: `structuredContent` is validated against it. */
  output?: O;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
}

/** A tool may return a full result, or just text. */
export type ToolReturn = CallToolResult | string;

export type ToolHandler<I extends SchemaLike | undefined> = (
  args: I extends SchemaLike ? InferSchema<I> : Record<string, never>,
  ctx: HandlerContext,
) => ToolReturn | Promise<ToolReturn>;

export interface ToolEntry {
  name: string;
  config: ToolConfig<SchemaLike | undefined, SchemaLike | undefined>;
  input: CompiledSchema | undefined;
  output: CompiledSchema | undefined;
  /** `Mcp-Param-*` header name → argument name (from `x-mcp-header` annotations). */
  headerParams: Map<string, string>;
  handler: (args: unknown, ctx: HandlerContext) => ToolReturn | Promise<ToolReturn>;
}

export interface ResourceConfig {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  icons?: Icon[];
  annotations?: Annotations;
  _meta?: Record<string, unknown>;
}

/** A resource reader may return a full result or just the contents. */
export type ResourceReturn = ReadResourceResult | ResourceContents[];

export interface ResourceEntry {
  uri: string;
  config: ResourceConfig;
  read: (uri: string, ctx: HandlerContext) => ResourceReturn | Promise<ResourceReturn>;
}

export type Completer = (value: string, context: CompletionContext) => string[] | Promise<string[]>;

export interface CompletionContext {
  /** Other arguments already chosen (`context.arguments` of the request). */
  arguments: Record<string, string>;
}

export interface ResourceTemplateConfig extends ResourceConfig {
  /** Completions per template variable. */
  complete?: Record<string, Completer>;
  /** Lists concrete resources of this template in `resources/list`. */
  list?: () => ResourceConfigWithUri[] | Promise<ResourceConfigWithUri[]>;
}

export interface ResourceConfigWithUri extends ResourceConfig {
  uri: string;
}

export interface ResourceTemplateEntry {
  template: UriTemplate;
  config: ResourceTemplateConfig;
  read: (
    uri: string,
    variables: Record<string, string | string[]>,
    ctx: HandlerContext,
  ) => ResourceReturn | Promise<ResourceReturn>;
}

export interface PromptArgument {
  name: string;
  title?: string;
  description?: string;
  required?: boolean;
  complete?: Completer;
}

export interface PromptConfig {
  title?: string;
  description?: string;
  arguments?: PromptArgument[];
  icons?: Icon[];
  _meta?: Record<string, unknown>;
}

export interface PromptEntry {
  name: string;
  config: PromptConfig;
  get: (args: Record<string, string>, ctx: HandlerContext) => GetPromptResult | Promise<GetPromptResult>;
}

export type ListKind = "tools" | "resources" | "prompts";

export type ServerEvent =
  | { type: "list_changed"; kind: ListKind }
  | { type: "resource_updated"; uri: string };

/** A handle to remove what was registered; removal emits list_changed. */
export interface Registration {
  remove(): void;
}

export interface ServerOptions extends Implementation {
  /** Guidance for the model (returned by `initialize` and `server/discover`). */
  instructions?: string;
  /** Page size of every list method. Default 100. */
  pageSize?: number;
}

/**
 * The implementation of a method beyond tools (resources, prompts, completion). The registration
 * functions install it (`addResource`, `addPrompt`, …), so a server that has no prompts carries no
 * prompt code in its bundle.
 * @internal
 */
export type FeatureMethod = (
  env: MethodEnv,
  params: Record<string, unknown>,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * A Portico MCP server definition. Tools are registered with `server.tool()`; resources, resource
 * templates and prompts with the functions `addResource`, `addResourceTemplate` and `addPrompt`
 * (functions, not methods, so what a server does not use stays out of its bundle).
 *
 * ```ts
 * const server = new McpServer({ name: "demo", version: "1.0.0" });
 * server.tool("add", { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
 *   ({ a, b }) => String(a + b));
 * ```
 */
export class McpServer {
  readonly info: Implementation;
  readonly instructions: string | undefined;
  readonly pageSize: number;
  readonly tools = new Map<string, ToolEntry>();
  readonly resources = new Map<string, ResourceEntry>();
  readonly templates = new Map<string, ResourceTemplateEntry>();
  readonly prompts = new Map<string, PromptEntry>();
  /**
   * Methods beyond tools, installed by the registration functions (see `FeatureMethod`).
   * @internal Not part of the public API (left out of the published types).
   */
  readonly methods = new Map<string, FeatureMethod>();
  readonly #listeners = new Set<(event: ServerEvent) => void>();

  constructor(options: ServerOptions) {
    const { instructions, pageSize, ...info } = options;
    if (!info.name || !info.version)
      throw new PorticoError("invalid_server", "A server needs a name and a version");
    this.info = info;
    this.instructions = instructions;
    this.pageSize = pageSize ?? 100;
  }

  /** Registers a tool. Adding or removing one at run time emits `notifications/tools/list_changed`. */
  tool<I extends SchemaLike | undefined = undefined, O extends SchemaLike | undefined = undefined>(
    name: string,
    config: ToolConfig<I, O>,
    handler: ToolHandler<I>,
  ): Registration {
    if (!TOOL_NAME.test(name)) {
      throw new PorticoError(
        "invalid_name",
        `Tool name "${name}" must be 1-128 characters of A-Z a-z 0-9 _ - . /`,
      );
    }
    const input = config.input === undefined ? undefined : compileSchema(config.input, name);
    const output = config.output === undefined ? undefined : compileSchema(config.output, name);
    return this.register("Tool", "tools", this.tools, name, {
      name,
      config: config as ToolConfig<SchemaLike | undefined, SchemaLike | undefined>,
      input,
      output,
      headerParams: headerParamsOf(input?.jsonSchema),
      handler: handler as ToolEntry["handler"],
    });
  }

  /**
   * Adds `entry` under `key` to one of the maps above and emits `list_changed` for `kind`; throws
   * on a duplicate key (`what` names the thing in the error).
   * @internal For the registration functions; not part of the public API (left out of the published types).
   */
  register<E>(what: string, kind: ListKind, map: Map<string, E>, key: string, entry: E): Registration {
    if (map.has(key)) throw new PorticoError("duplicate", `${what} "${key}" is already registered`);
    map.set(key, entry);
    this.#emit({ type: "list_changed", kind });
    return { remove: () => map.delete(key) && this.#emit({ type: "list_changed", kind }) };
  }

  /** Tells subscribers (legacy `resources/subscribe`, modern `subscriptions/listen`) that a resource changed. */
  resourceUpdated(uri: string): void {
    this.#emit({ type: "resource_updated", uri });
  }

  /** Observes definition changes (handlers use this to fan out notifications). */
  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: ServerEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

function headerParamsOf(schema: Record<string, unknown> | undefined): Map<string, string> {
  const map = new Map<string, string>();
  const props = schema?.properties;
  if (typeof props !== "object" || props === null) return map;
  for (const [arg, prop] of Object.entries(props as Record<string, Record<string, unknown>>)) {
    const header = prop?.["x-mcp-header"];
    if (typeof header === "string" && header !== "") map.set(header.toLowerCase(), arg);
  }
  return map;
}
