/**
 * The method table: families install their methods on the server (`addMethods`), both eras look
 * methods up here, and the server's capabilities are what the installed families declare.
 */
import type { Era } from "../definition/context.ts";
import type { Definitions, McpResult, MethodFamily, MethodSpec } from "../definition/method.ts";
import type { McpServer } from "../definition/server.ts";
import { ErrorCode, McpError } from "../errors.ts";

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
  server.install(family);
}

/** Which families' absence a method-not-found error names (the MCP families a client may probe). */
const FAMILY_OF_PREFIX: Record<string, string> = {
  tools: "tools",
  resources: "resources",
  prompts: "prompts",
  completion: "prompts or resources",
};

/**
 * The spec of `method` when the server serves it in `era` now; otherwise throws -32601, saying why
 * (another era's method, or the absent family for the MCP families).
 */
export function methodSpec(server: McpServer, method: string, era: Era, version: string): MethodSpec {
  const installed = server.method(method);
  let reason = "";
  if (installed !== undefined && (installed.family.available?.(server) ?? true)) {
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
