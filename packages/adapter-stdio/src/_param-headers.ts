/**
 * `Mcp-Param-*` headers (2026-07-28, SEP-2243): a tool may mark arguments with `x-mcp-header:
 * Name`, and an HTTP client then mirrors each such argument in `Mcp-Param-Name`. A client learns
 * the marks from `tools/list`; so does this adapter, from every `tools/list` result it relays, and
 * by listing the tools itself when the handler says a `Mcp-Param-*` header is missing or wrong.
 */
import { encodeHeaderValue, headerText, isObject, type JsonObject } from "./_headers.ts";

/** One marked argument: the path of property names to it, and its header name. */
interface Declaration {
  path: string[];
  header: string;
}

/** At most this many tools' declarations are kept (a server lists far fewer). */
const MAX_TOOLS = 10_000;
/** Marks deeper than this are not looked for (schemas nest properties rarely, and never deeply). */
const MAX_DEPTH = 8;
/** An HTTP header name (RFC 9110 token); a mark that is not one cannot be mirrored. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The `x-mcp-header` marks of `schema`, found along chains of `properties`. */
function declarationsOf(schema: unknown, path: string[] = [], out: Declaration[] = []): Declaration[] {
  if (!isObject(schema) || path.length > MAX_DEPTH) return out;
  const properties = schema.properties;
  if (!isObject(properties)) return out;
  for (const [name, property] of Object.entries(properties)) {
    if (!isObject(property)) continue;
    const header = property["x-mcp-header"];
    if (typeof header === "string" && TOKEN.test(header)) out.push({ path: [...path, name], header });
    declarationsOf(property, [...path, name], out);
  }
  return out;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

export class ParamHeaders {
  readonly #tools = new Map<string, Declaration[]>();

  /** Learns the marks of every tool in a `tools/list` result. */
  observe(result: unknown): void {
    if (!isObject(result) || !Array.isArray(result.tools)) return;
    for (const tool of result.tools) {
      if (!isObject(tool) || typeof tool.name !== "string") continue;
      if (!this.#tools.has(tool.name) && this.#tools.size >= MAX_TOOLS) continue;
      this.#tools.set(tool.name, declarationsOf(tool.inputSchema));
    }
  }

  /** Forgets everything learnt (before listing the tools afresh). */
  clear(): void {
    this.#tools.clear();
  }

  /** The `Mcp-Param-*` headers of a `tools/call` message (none for a tool without marks). */
  headersFor(message: JsonObject): Record<string, string> {
    const params = isObject(message.params) ? message.params : undefined;
    const name = params?.name;
    if (typeof name !== "string") return {};
    const declarations = this.#tools.get(name);
    if (declarations === undefined || declarations.length === 0) return {};
    const headers: Record<string, string> = {};
    for (const { path, header } of declarations) {
      const text = headerText(valueAt(params?.arguments, path));
      if (text !== undefined) headers[`mcp-param-${header.toLowerCase()}`] = encodeHeaderValue(text);
    }
    return headers;
  }
}
