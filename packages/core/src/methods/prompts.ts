/**
 * The prompts family: `addPrompt(server, name, config, get)` registers; `prompts/list` and
 * `prompts/get` serve both eras. A server without prompts carries none of this code.
 */
import { mayUse } from "../auth/scopes.ts";
import type { HandlerContext } from "../definition/context.ts";
import type { Definitions, McpCall, McpResult, MethodFamily, Middleware } from "../definition/method.ts";
import type { McpServer, Registration } from "../definition/server.ts";
import type { GetPromptResult, Icon } from "../definition/types.ts";
import { ErrorCode, invalidResult, McpError, PorticoError } from "../errors.ts";
import { enabledUse, runChain } from "./chain.ts";
import { COMPLETION, type Completer, checkCompleters } from "./completion.ts";
import { paginate } from "./paginate.ts";
import { defined } from "./table.ts";

export interface PromptArgument {
  name: string;
  title?: string;
  description?: string;
  required?: boolean;
}

export interface PromptConfig<A extends readonly PromptArgument[] = readonly PromptArgument[]> {
  title?: string;
  description?: string;
  /** The arguments; `get` receives them typed: required ones as `string`, others as optional. */
  arguments?: A;
  /** Completions per argument name (`completion/complete` with a `ref/prompt`). */
  complete?: { [K in A[number]["name"]]?: Completer };
  icons?: Icon[];
  _meta?: Record<string, unknown>;
  /** Middleware for this prompt's `prompts/get` only, inside the server's (`server.use`). */
  use?: Middleware[];
  /**
   * OAuth scopes a caller needs, every one, to see this in lists and to use it; others get the
   * authenticator's 403 `insufficient_scope` step-up challenge. Default: none (everyone).
   */
  scopes?: readonly string[];
  /** Labels for filtering: `ServerOptions.tags` and `mount`'s `tags` pick definitions by them. */
  tags?: readonly string[];
}

type Required<A extends PromptArgument> = A extends { required: true } ? A["name"] : never;
type Optional<A extends PromptArgument> = A extends { required: true } ? never : A["name"];

/** The arguments `get` receives, typed from the declaration. */
export type PromptArgs<A extends readonly PromptArgument[]> = { [K in Required<A[number]>]: string } & {
  [K in Optional<A[number]>]?: string;
};

export type PromptGet<A extends readonly PromptArgument[]> = (
  args: PromptArgs<A>,
  ctx: HandlerContext,
) => GetPromptResult | Promise<GetPromptResult>;

/**
 * A registered prompt.
 * @internal
 */
export interface PromptEntry {
  name: string;
  config: PromptConfig;
  get: (args: Record<string, string>, ctx: HandlerContext) => GetPromptResult | Promise<GetPromptResult>;
}

const prompts = (d: Definitions) => d.registry<PromptEntry>("prompts");

/**
 * Registers a prompt with `arguments` (completed through `complete`, keyed by argument name);
 * `get(args, ctx)` returns the messages, with `args` typed from the declaration. Adding or removing
 * one at run time emits `notifications/prompts/list_changed`.
 *
 * ```ts
 * addPrompt(server, "review", {
 *   arguments: [{ name: "code", required: true }, { name: "tone" }],
 *   complete: { tone: (value) => ["terse", "friendly"].filter((t) => t.startsWith(value)) },
 * }, ({ code, tone }) => ({ messages: [{ role: "user", content: { type: "text", text: `${tone ?? ""} ${code}` } }] }));
 * ```
 */
export function addPrompt<const A extends readonly PromptArgument[] = readonly []>(
  server: McpServer,
  name: string,
  config: PromptConfig<A>,
  get: PromptGet<A>,
): Registration {
  if (typeof name !== "string" || name === "")
    throw new PorticoError("invalid_name", "A prompt needs a name");
  if (typeof get !== "function")
    throw new PorticoError("invalid_handler", `The get function of prompt "${name}" must be a function`);
  const enabled = enabledUse(config, `prompt "${name}"`);
  checkArguments(name, config.arguments);
  checkCompleters(`prompt "${name}"`, config.complete);
  server.install(PROMPTS);
  server.install(COMPLETION);
  const entry: PromptEntry = {
    name,
    config: enabled as PromptConfig,
    get: get as PromptEntry["get"],
  };
  return server.register("prompts", "Prompt", name, entry, "prompts");
}

/** A prompt's `arguments`: an array of objects, each with its own non-empty name. */
function checkArguments(prompt: string, args: unknown): void {
  if (args === undefined) return;
  const refuse = (why: string) => {
    throw new PorticoError("invalid_config", `The arguments of prompt "${prompt}" ${why}`);
  };
  if (!Array.isArray(args)) refuse("must be an array of { name, description?, required? }");
  const names = new Set<string>();
  for (const arg of args as unknown[]) {
    const name = (arg as { name?: unknown } | null)?.name;
    if (typeof arg !== "object" || arg === null || typeof name !== "string" || name === "") {
      refuse("must each be an object with a non-empty name");
    }
    if (names.has(name as string)) refuse(`name "${name}" twice`);
    names.add(name as string);
  }
}

function listPrompts({ definitions, params, auth }: McpCall): McpResult {
  const all = [...prompts(definitions).values()].flatMap((p) =>
    !mayUse(auth, p.config)
      ? []
      : defined({
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
  const { page, nextCursor } = paginate(all, params.cursor, definitions.pageSize, "prompts");
  return defined({ prompts: page, nextCursor });
}

function argumentsOf(prompt: PromptEntry, raw: unknown): Record<string, string> {
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
  // Own properties only: a required argument named `toString` is not "given" by Object.prototype.
  const missing = (prompt.config.arguments ?? []).filter((a) => a.required && !Object.hasOwn(args, a.name));
  if (missing.length > 0) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid params: missing required arguments ${missing.map((a) => `/arguments/${a.name}`).join(", ")}`,
    );
  }
  return args;
}

async function getPrompt(call: McpCall): Promise<McpResult> {
  const name = call.params.name;
  if (typeof name !== "string")
    throw new McpError(ErrorCode.InvalidParams, "Invalid params: /name must be a string");
  const prompt = prompts(call.definitions).get(name);
  if (prompt === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`, { name });
  const args = argumentsOf(prompt, call.params.arguments ?? {});
  const get = async (c: McpCall): Promise<McpResult> => {
    const returned = await prompt.get(args, c.ctx);
    const result = returned as unknown;
    if (typeof result !== "object" || result === null || !Array.isArray((result as GetPromptResult).messages))
      throw invalidResult(c.report, `prompt ${name}`, "its messages must be an array");
    return { ...returned };
  };
  const use = prompt.config.use;
  return use === undefined || use.length === 0 ? get(call) : runChain(use, call, get);
}

const BOTH = ["modern", "legacy"] as const;

/** The prompts family. */
export const PROMPTS: MethodFamily = {
  name: "prompts",
  methods: {
    "prompts/list": { eras: BOTH, cacheable: true, handler: listPrompts },
    "prompts/get": {
      eras: BOTH,
      mrtr: true,
      nameParam: "name",
      scopes: (params, d) =>
        typeof params.name === "string" ? prompts(d).get(params.name)?.config.scopes : undefined,
      handler: getPrompt,
    },
  },
  available: (d) => prompts(d).size > 0,
  capabilities: (d) => (prompts(d).size > 0 ? { prompts: { listChanged: true } } : undefined),
};
