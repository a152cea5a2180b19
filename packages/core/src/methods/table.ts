/**
 * The method table: families install their methods on the server (`addMethods`), both eras look
 * methods up here, and the server's capabilities are what the installed families declare.
 */
import type { Era } from "../definition/context.ts";
import type { Definitions, McpCall, McpResult, MethodFamily, MethodSpec } from "../definition/method.ts";
import type { McpServer } from "../definition/server.ts";
import { ErrorCode, invalidResult, McpError, PorticoError } from "../errors.ts";
import { isResultObject } from "../jsonrpc/messages.ts";
import { isThenable } from "../util/thenable.ts";

/**
 * Installs a family of methods on the server: the built-in families (`addTool` installs `tools`, …)
 * and custom or experimental ones alike. Installing the same family again changes nothing; a
 * method another family declared is refused.
 *
 * ```ts
 * addMethods(server, {
 *   name: "acme",
 *   methods: { "acme/echo": { eras: ["modern", "legacy"], handler: (call) => ({ text: call.params.text }) } },
 *   capabilities: () => ({ experimental: { acme: {} } }),
 * });
 * ```
 */
export function addMethods(server: McpServer, family: MethodFamily): void {
  checkFamily(family);
  let checked = CHECKED.get(family);
  if (checked === undefined) {
    checked = { ...family, methods: resultsChecked(family.methods) };
    CHECKED.set(family, checked);
  }
  server.install(checked);
}

/** Methods an era answers itself, before any family's: a family cannot declare them. */
const ERA_METHODS = new Set(["subscriptions/listen"]);

/** Refuses at registration a family whose methods could not be served as declared. */
function checkFamily(family: MethodFamily): void {
  const name = (family as { name?: unknown } | null)?.name;
  const methods = (family as { methods?: unknown } | null)?.methods;
  if (typeof name !== "string" || name === "" || typeof methods !== "object" || methods === null) {
    throw new PorticoError("invalid_family", "A method family needs a name and an object of methods");
  }
  for (const [method, spec] of Object.entries(methods as Record<string, Partial<MethodSpec> | null>)) {
    const refuse = (why: string) => {
      throw new PorticoError("invalid_method", `Method "${method}" of family "${name}" ${why}`);
    };
    if (ERA_METHODS.has(method)) refuse("is answered by the protocol itself and cannot be declared");
    if (typeof spec !== "object" || spec === null) refuse("needs a spec object");
    if (typeof spec?.handler !== "function") refuse("needs a handler function");
    const eras = spec?.eras as unknown;
    if (!Array.isArray(eras) || eras.length === 0 || !eras.every((e) => e === "modern" || e === "legacy")) {
      refuse('needs eras: a non-empty array of "modern" and/or "legacy"');
    }
  }
}

/**
 * Methods written outside the core (custom families, extensions) whose handlers' results are
 * checked: one that is not an object (`undefined` from a forgotten `return`, a number, an array)
 * would go out as a spec-invalid answer, so it answers -32603 and is reported instead.
 */
export function resultsChecked(methods: Record<string, MethodSpec>): Record<string, MethodSpec> {
  const checked: Record<string, MethodSpec> = {};
  for (const [name, spec] of Object.entries(methods)) {
    checked[name] = { ...spec, handler: (call) => resultChecked(name, call, spec.handler(call)) };
  }
  return checked;
}

/** The families `addMethods` installed, as installed (so that adding one again changes nothing). */
const CHECKED = new WeakMap<MethodFamily, MethodFamily>();

/** `result` if it is an object; else the -32603 error (reported) for `method`. */
function resultChecked(
  method: string,
  call: McpCall,
  result: McpResult | Promise<McpResult>,
): McpResult | Promise<McpResult> {
  const check = (value: unknown): McpResult => {
    if (isResultObject(value)) return value;
    throw invalidResult(call.report, method, "not an object");
  };
  return isThenable(result) ? Promise.resolve(result).then(check) : check(result);
}

/** Which families' absence a method-not-found error names (the MCP families a client may probe). */
const FAMILY_OF_PREFIX: Record<string, string> = {
  tools: "tools",
  resources: "resources",
  prompts: "prompts",
  completion: "prompts or resources",
};

/**
 * Whether `method` lists one of the MCP families (`tools/list`, `resources/templates/list`…): once
 * its family is installed it answers even after the last definition went (an empty page), since
 * a client told `list_changed` lists again and must learn that the list is now empty.
 */
function listsEmptied(method: string): boolean {
  return method.endsWith("/list") && FAMILY_OF_PREFIX[method.slice(0, method.indexOf("/"))] !== undefined;
}

/**
 * The spec of `method` when the server serves it in `era` now; otherwise throws -32601, saying why
 * (another era's method, or the absent family for the MCP families).
 */
export function methodSpec(server: McpServer, method: string, era: Era, version: string): MethodSpec {
  const installed = server.method(method);
  let reason = "";
  if (installed !== undefined && ((installed.family.available?.(server) ?? true) || listsEmptied(method))) {
    if (installed.spec.eras.includes(era)) return installed.spec;
    reason = ` (not available at ${version})`;
  } else {
    const family = FAMILY_OF_PREFIX[method.slice(0, method.indexOf("/"))];
    if (family !== undefined) reason = ` (this server has no ${family})`;
  }
  throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}${reason}`);
}

/** The capabilities the installed families declare in `era`, merged (`experimental` and `extensions` entries are combined). */
export function capabilitiesOf(server: Definitions, era: Era): McpResult {
  const caps: McpResult = {};
  for (const family of server.families()) {
    const declared = family.capabilities?.(server, era);
    if (declared === undefined) continue;
    for (const [key, value] of Object.entries(declared)) {
      const prior = caps[key];
      caps[key] = isObject(prior) && isObject(value) ? { ...prior, ...value } : value;
    }
  }
  return caps;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` without its `undefined` members (so they are absent on the wire). */
export function defined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
