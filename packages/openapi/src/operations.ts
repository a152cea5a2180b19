/** The operations of a loaded document, with path-level parameters merged in and references followed. */
import type { LoadedDocument } from "./document.ts";
import type { OpenApiOperation, OpenApiParameter } from "./types.ts";
import { isJsonMediaType, isObject, type JsonObject, text } from "./util.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** Header parameters OpenAPI says to ignore: the HTTP layer sets them. */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

export interface Parameter extends OpenApiParameter {
  readonly description: string | undefined;
  readonly deprecated: boolean;
  /** The parameter's schema (from `content` for a JSON-encoded parameter). */
  readonly schema: unknown;
  readonly style: string;
  readonly explode: boolean;
  /** Sent as JSON text (declared with `content: { "application/json": … }`). */
  readonly json: boolean;
  readonly example: unknown;
}

export interface Operation {
  readonly info: OpenApiOperation;
  /** `GET /pets/{petId}`. */
  readonly label: string;
  readonly parameters: readonly Parameter[];
  readonly requestBody: JsonObject | undefined;
  readonly responses: JsonObject;
  /** The operation's or its path's `servers`, when declared. */
  readonly servers: unknown;
}

/** Follows `$ref`s (left where the document is circular) to the object they name. */
export function follow(doc: LoadedDocument, value: unknown): unknown {
  let node = value;
  for (let hops = 0; hops < 32 && isObject(node) && typeof node.$ref === "string"; hops += 1) {
    node = doc.resolve(node.$ref);
  }
  return node;
}

function parameterOf(doc: LoadedDocument, raw: unknown): Parameter | undefined {
  const p = follow(doc, raw);
  if (!isObject(p) || typeof p.name !== "string" || p.name === "") return undefined;
  const where = p.in;
  if (where !== "path" && where !== "query" && where !== "header" && where !== "cookie") return undefined;
  if (where === "header" && IGNORED_HEADERS.has(p.name.toLowerCase())) return undefined;
  let schema: unknown = p.schema;
  let json = false;
  if (schema === undefined && isObject(p.content)) {
    const [mediaType, media] = Object.entries(p.content)[0] ?? [];
    schema = isObject(media) ? media.schema : undefined;
    json = mediaType !== undefined && isJsonMediaType(mediaType);
  }
  const style = text(p.style) ?? (where === "query" || where === "cookie" ? "form" : "simple");
  return {
    name: p.name,
    in: where,
    required: where === "path" || p.required === true,
    description: text(p.description),
    deprecated: p.deprecated === true,
    schema: schema ?? {},
    style,
    explode: typeof p.explode === "boolean" ? p.explode : style === "form",
    json,
    example: p.example,
  };
}

/**
 * Path-level parameters, then the operation's (which win on the same name and location), then a
 * string parameter for each `{name}` of the path the document forgot to declare.
 */
function parametersOf(doc: LoadedDocument, path: string, pathItem: JsonObject, op: JsonObject): Parameter[] {
  const byKey = new Map<string, Parameter>();
  for (const list of [pathItem.parameters, op.parameters]) {
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      const p = parameterOf(doc, raw);
      if (p !== undefined) byKey.set(`${p.in}:${p.name}`, p);
    }
  }
  for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
    if (name === undefined || byKey.has(`path:${name}`)) continue;
    const p = parameterOf(doc, { name, in: "path", required: true, schema: { type: "string" } });
    if (p !== undefined) byKey.set(`path:${name}`, p);
  }
  return [...byKey.values()];
}

/**
 * Why an operation's path cannot be used, if it cannot. OpenAPI says a path key starts with `/`;
 * one that does not (`{version}/items`) would be glued to the base URL as it is, so with a base
 * URL without a path (`https://api.example.com`) an argument (`.attacker.example`) would change the
 * host the request, and its credentials, go to.
 */
export function pathProblem(path: string): string | undefined {
  if (path.startsWith("/")) return undefined;
  return 'its path does not start with "/", so an argument could change the host it calls';
}

/** Every operation under `paths`, in document order. */
export function listOperations(doc: LoadedDocument): Operation[] {
  const paths = doc.root.paths;
  if (!isObject(paths)) return [];
  const operations: Operation[] = [];
  for (const [path, rawItem] of Object.entries(paths)) {
    const pathItem = follow(doc, rawItem);
    if (!isObject(pathItem)) continue;
    for (const [method, op] of Object.entries(pathItem)) {
      if (!METHODS.includes(method) || !isObject(op)) continue;
      const parameters = parametersOf(doc, path, pathItem, op);
      const body = follow(doc, op.requestBody);
      const responses = follow(doc, op.responses);
      const upper = method.toUpperCase();
      operations.push({
        info: {
          method: upper,
          path,
          operationId: text(op.operationId),
          summary: text(op.summary),
          description: text(op.description),
          tags: Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === "string") : [],
          deprecated: op.deprecated === true,
          parameters: parameters.map(({ name, in: where, required }) => ({ name, in: where, required })),
        },
        label: `${upper} ${path}`,
        parameters,
        requestBody: isObject(body) ? body : undefined,
        responses: isObject(responses) ? responses : {},
        servers: Array.isArray(op.servers) ? op.servers : pathItem.servers,
      });
    }
  }
  return operations;
}
