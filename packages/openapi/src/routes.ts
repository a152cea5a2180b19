/** Route maps: which operations become tools, resources, resource templates, or nothing. */
import type { OpenApiOperation, RouteKind, RouteMap } from "./types.ts";

/**
 * GET operations as resources: a GET with path parameters or a required query parameter is a
 * resource template (its URI names them), any other GET a resource; every other operation a tool.
 */
export const GET_AS_RESOURCES: readonly RouteMap[] = Object.freeze([
  {
    methods: ["GET"],
    when: (op: OpenApiOperation) =>
      op.parameters.some((p) => p.in === "path" || (p.in === "query" && p.required)),
    as: "template",
  },
  { methods: ["GET"], as: "resource" },
]);

const globs = new Map<string, RegExp>();

/** A glob (`*` matches any run of characters, `/` included) as an anchored RegExp. */
function globRegExp(glob: string): RegExp {
  let re = globs.get(glob);
  if (re === undefined) {
    const body = glob
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`);
    globs.set(glob, re);
  }
  return re;
}

function matches(map: RouteMap, op: OpenApiOperation): boolean {
  if (map.methods !== undefined && map.methods !== "*") {
    if (!map.methods.some((m) => m.toUpperCase() === op.method)) return false;
  }
  if (map.path !== undefined) {
    const re = typeof map.path === "string" ? globRegExp(map.path) : map.path;
    re.lastIndex = 0;
    if (!re.test(op.path)) return false;
  }
  if (map.tags !== undefined && !map.tags.some((t) => op.tags.includes(t))) return false;
  if (
    map.operationIds !== undefined &&
    (op.operationId === undefined || !map.operationIds.includes(op.operationId))
  )
    return false;
  if (map.when !== undefined && !map.when(op)) return false;
  return true;
}

/**
 * What the first matching map says; `"tool"` when none matches — every MCP client can call a
 * tool on the model's initiative, while resources wait for the user or the app to pick them.
 */
export function routeOf(routes: readonly RouteMap[] | undefined, op: OpenApiOperation): RouteKind {
  for (const map of routes ?? []) if (matches(map, op)) return map.as;
  return "tool";
}
