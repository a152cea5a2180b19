/**
 * The tools family: `addTool` registers a tool; `tools/list` and `tools/call` serve them in both
 * eras; a tool's `x-mcp-header` arguments are mirrored in `Mcp-Param-*` headers (modern).
 */
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { mayUse } from "../auth/scopes.ts";
import type { HandlerContext } from "../definition/context.ts";
import type { McpCall, McpParams, McpResult, MethodFamily, Middleware } from "../definition/method.ts";
import {
  type Compiled,
  compileObjectSchema,
  type InferSchema,
  type SchemaLike,
} from "../definition/schema.ts";
import type { McpServer, Registration } from "../definition/server.ts";
import { type TaskSupport, tasksHook } from "../definition/task-hook.ts";
import type { CallToolResult, Icon, ToolAnnotations } from "../definition/types.ts";
import { ErrorCode, McpError, PorticoError, TaskStartSignal } from "../errors.ts";
import { decodeHeaderValue } from "../util/encoding.ts";
import { isInstance } from "../util/is-instance.ts";
import { enabledUse, runChain } from "./chain.ts";
import { paginate } from "./paginate.ts";
import { defined } from "./table.ts";
import { type CallableTool, callTool } from "./tool-call.ts";
import { TOOL_NAME, TOOL_NAME_RULE } from "./tool-name.ts";

export interface ToolConfig<I extends SchemaLike | undefined, O extends SchemaLike | undefined> {
  title?: string;
  description?: string;
  /** Input schema (Standard Schema or `jsonSchema(…)`), describing an object. Arguments are validated before the handler runs. */
  input?: I;
  /** Output schema, describing an object: the result's `structuredContent` is typed from it and validated against it. */
  output?: O;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
  /** Middleware for this tool's calls only, inside the server's (`server.use`). */
  use?: Middleware[];
  /**
   * OAuth scopes a caller needs, every one, to see this in lists and to use it; others get the
   * authenticator's 403 `insufficient_scope` step-up challenge. Default: none (everyone).
   */
  scopes?: readonly string[];
  /** Labels for filtering: `ServerOptions.tags` and `mount`'s `tags` pick definitions by them. */
  tags?: readonly string[];
  /**
   * Whether a call may become a task (`enableTasks(server)` is needed for anything but
   * `"forbidden"`): `"optional"` — a task when the client supports tasks, else an ordinary call;
   * `"required"` — always a task (a client without task support gets an error). Default: never.
   */
  taskSupport?: TaskSupport;
  /**
   * When a task call becomes a task: `"call"` (default) at once, before the handler runs;
   * `"handler"` when the handler calls `ctx.startTask()` — after it has gathered input (MRTR) in
   * the request. The task's run starts the handler again, with the answers already given.
   */
  taskStart?: "call" | "handler";
}

/** A result whose `structuredContent` is `S` (an error result may leave it out). */
export type StructuredToolResult<S> =
  | (Omit<CallToolResult, "structuredContent"> & { structuredContent: S })
  | (CallToolResult & { isError: true });

/** What a tool returns: a full result or just text; with an `output` schema, a result with `structuredContent`. */
export type ToolReturn<O extends SchemaLike | undefined = undefined> = O extends SchemaLike
  ? StructuredToolResult<StandardSchemaV1.InferInput<O>>
  : CallToolResult | string;

export type ToolHandler<I extends SchemaLike | undefined, O extends SchemaLike | undefined = undefined> = (
  args: I extends SchemaLike ? InferSchema<I> : Record<string, never>,
  ctx: HandlerContext,
) => ToolReturn<O> | Promise<ToolReturn<O>>;

/**
 * A registered tool.
 * @internal
 */
export interface ToolEntry extends CallableTool {
  config: ToolConfig<SchemaLike | undefined, SchemaLike | undefined>;
  input: Compiled | undefined;
  /**
   * `Mcp-Param-*` header name → path of `properties` keys to its argument (`x-mcp-header`): read
   * off the input's JSON Schema at the tool's first 2026-07-28 call (see `mirrorsParams`).
   */
  headerParams: Map<string, readonly string[]> | undefined;
}

/**
 * Registers a tool. Adding or removing one at run time emits `notifications/tools/list_changed`.
 * Fails fast on a malformed name, a duplicate, a schema that does not describe an object, and a
 * handler that is not a function.
 */
export function addTool<
  I extends SchemaLike | undefined = undefined,
  O extends SchemaLike | undefined = undefined,
>(server: McpServer, name: string, config: ToolConfig<I, O>, handler: ToolHandler<I, O>): Registration {
  if (typeof name !== "string" || !TOOL_NAME.test(name)) {
    throw new PorticoError("invalid_name", `Tool name "${name}" must be ${TOOL_NAME_RULE}`);
  }
  if (typeof handler !== "function") {
    throw new PorticoError("invalid_handler", `The handler of tool "${name}" must be a function`);
  }
  const enabled = enabledUse(config, `tool "${name}"`);
  const support = config.taskSupport;
  if (support !== undefined && support !== "forbidden" && support !== "optional" && support !== "required") {
    throw new PorticoError(
      "invalid_task_support",
      `Tool "${name}": taskSupport must be "forbidden", "optional" or "required", not ${JSON.stringify(support)}`,
    );
  }
  const input = config.input === undefined ? undefined : compileObjectSchema(config.input, name, "input");
  const output = config.output === undefined ? undefined : compileObjectSchema(config.output, name, "output");
  server.install(TOOLS);
  return server.register<ToolEntry>(
    "tools",
    "Tool",
    name,
    {
      name,
      config: enabled as ToolEntry["config"],
      input,
      output,
      headerParams: undefined,
      handler: handler as ToolEntry["handler"],
    },
    "tools",
  );
}

/** A tool's `x-mcp-header` arguments (none, without converting, when its schema has no annotations). */
function headerParamsOf(input: Compiled | undefined): Map<string, readonly string[]> {
  return input?.annotated ? annotationsOf(input.jsonSchema) : new Map();
}

/**
 * The `x-mcp-header` annotations of a schema: on any property reached from the root through
 * `properties` keys alone, nested objects included (2026-07-28, Custom Headers).
 */
function annotationsOf(
  schema: Record<string, unknown> | undefined,
  map = new Map<string, readonly string[]>(),
  path: readonly string[] = [],
): Map<string, readonly string[]> {
  const props = schema?.properties;
  if (typeof props !== "object" || props === null) return map;
  for (const [arg, prop] of Object.entries(props as Record<string, Record<string, unknown>>)) {
    if (typeof prop !== "object" || prop === null) continue;
    const header = prop["x-mcp-header"];
    if (typeof header === "string" && header !== "") map.set(header.toLowerCase(), [...path, arg]);
    annotationsOf(prop, map, [...path, arg]);
  }
  return map;
}

/** The argument at `path` (`undefined` where a step is missing or not an object). */
function argumentAt(args: unknown, path: readonly string[]): unknown {
  let value = args;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function listTools(call: McpCall): McpResult {
  const { definitions } = call;
  // A tool's taskSupport means something only where tasks are on (enableTasks): else it is run as
  // a plain call, and the list must not offer what the server cannot do.
  const tasks = call.era === "legacy" && tasksHook(definitions) !== undefined;
  const all = [...definitions.registry<ToolEntry>("tools").values()].flatMap((t) =>
    !mayUse(call.auth, t.config)
      ? []
      : defined({
          name: t.name,
          title: t.config.title,
          description: t.config.description,
          inputSchema: t.input?.jsonSchema ?? { type: "object", properties: {} },
          outputSchema: t.output?.jsonSchema,
          annotations: t.config.annotations,
          icons: t.config.icons,
          _meta: t.config._meta,
          // 2025-11-25 (experimental tasks): how the tool may be called as a task.
          execution:
            tasks && t.config.taskSupport !== undefined ? { taskSupport: t.config.taskSupport } : undefined,
        }),
  );
  const { page, nextCursor } = paginate(all, call.params.cursor, definitions.pageSize, "tools");
  return defined({ tools: page, nextCursor });
}

function findTool(call: McpCall): ToolEntry {
  const name = call.params.name;
  if (typeof name !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /name must be a string");
  const tool = call.definitions.registry<ToolEntry>("tools").get(name);
  if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`, { name });
  return tool;
}

/**
 * A tool's call through its own middleware to its handler.
 * @internal
 */
export async function runTool(
  tool: ToolEntry,
  call: McpCall,
  route?: (call: McpCall) => Promise<McpResult | undefined>,
): Promise<McpResult> {
  const use = tool.config.use;
  const plain = use === undefined || use.length === 0;
  // The common call: no middleware of its own, not routed to tasks — straight to the handler.
  if (plain && route === undefined) return { ...(await callTool(tool, call)) };
  const end = async (c: McpCall): Promise<McpResult> =>
    (route === undefined ? undefined : await route(c)) ?? { ...(await callTool(tool, c)) };
  return plain ? end(call) : runChain(use, call, end);
}

async function serveCall(call: McpCall): Promise<McpResult> {
  const tool = findTool(call);
  const tasks = tasksHook(call.definitions);
  const support = tool.config.taskSupport;
  // A tool that never runs as a task goes straight to its handler, unless a 2025-11-25 client
  // asks for a task anyway (which the tasks engine refuses).
  const never = support === undefined || support === "forbidden";
  if (tasks === undefined || (never && (call.era !== "legacy" || call.params.task == null))) {
    return runTool(tool, call);
  }
  const task = { name: tool.name, taskSupport: support, taskStart: tool.config.taskStart };
  try {
    // The tool's own middleware sees the call that starts a task as it sees any call — a rate limit
    // counts it, an audit records it, an idempotency key is read from its `_meta` — and answers
    // its CreateTaskResult; the task's run goes through it again, as a run (`call.inTask`).
    return await runTool(tool, call, (c) => tasks.route(c, task));
  } catch (error) {
    if (isInstance(error, TaskStartSignal)) return tasks.started(call, task);
    throw error;
  }
}

function headerText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Whether header text names the same number as a numeric argument: `42.0` and `42` do (the spec
 * asks servers to compare numbers by value, since clients may render them differently).
 */
function sameNumber(text: string, value: unknown): boolean {
  return typeof value === "number" && DECIMAL.test(text) && Number(text) === value;
}

/** Checks a tool's `Mcp-Param-*` headers against its arguments (2026-07-28). */
function mirrorsParams(
  headers: Headers,
  params: McpParams,
  definitions: McpCall["definitions"],
): string | undefined {
  const name = params.name;
  if (typeof name !== "string") return undefined;
  const tool = definitions.registry<ToolEntry>("tools").get(name);
  if (tool === undefined) return undefined;
  tool.headerParams ??= headerParamsOf(tool.input);
  for (const [header, path] of tool.headerParams) {
    const raw = headers.get(`mcp-param-${header}`);
    const value = argumentAt(params.arguments, path);
    const expected = headerText(value);
    const arg = path.join(".");
    // Absent or null: the client omits the header, and the server must not expect it.
    if (value === undefined || value === null) {
      if (raw !== null) return `Header mismatch: Mcp-Param-${header} sent but argument ${arg} is absent`;
      continue;
    }
    if (raw === null) return `Header mismatch: Mcp-Param-${header} header is required`;
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) return `Header mismatch: Mcp-Param-${header} header is malformed`;
    if (decoded !== expected && !sameNumber(decoded, value)) {
      return `Header mismatch: Mcp-Param-${header} does not match argument ${arg}`;
    }
  }
  return undefined;
}

const BOTH = ["modern", "legacy"] as const;

/** The tools family. */
export const TOOLS: MethodFamily = {
  name: "tools",
  methods: {
    "tools/list": { eras: BOTH, cacheable: true, handler: listTools },
    "tools/call": {
      eras: BOTH,
      mrtr: true,
      nameParam: "name",
      mirrors: mirrorsParams,
      scopes: (params, d) =>
        typeof params.name === "string"
          ? d.registry<ToolEntry>("tools").get(params.name)?.config.scopes
          : undefined,
      handler: serveCall,
    },
  },
  available: (d) => d.registry("tools").size > 0,
  capabilities: (d) => (d.registry("tools").size > 0 ? { tools: { listChanged: true } } : undefined),
};
