/**
 * OpenAPI schemas → self-contained JSON Schema 2020-12.
 *
 * 3.0 forms become 2020-12 (`nullable`, boolean `exclusiveMinimum`/`exclusiveMaximum`, `example`);
 * OpenAPI-only and identity keywords are dropped (`discriminator`, `xml`, `externalDocs`, `x-*`,
 * `$id`, `$schema`, `$anchor`, nested `$defs`); `readOnly` properties leave request schemas and
 * `writeOnly` ones response schemas. A `$ref` the parser left (it is part of a cycle) becomes
 * `{"$ref": "#/$defs/Name"}`, and `finish` adds the `$defs` a schema needs, so every tool schema
 * stands alone and serialises as JSON. A `$dynamicRef` is replaced by the schema its outermost
 * `$dynamicAnchor` binds. Conversions that do not depend on where they are used are cached per
 * schema object, so a large document is converted in one pass and its tools share subschemas.
 */
import type { LoadedDocument } from "./document.ts";
import { isObject, type JsonObject } from "./util.ts";

export type Mode = "request" | "response";

interface Converted {
  readonly schema: unknown;
  /** Pointers of the cyclic schemas this one refers to (directly, not through them). */
  readonly refs: ReadonlySet<string> | undefined;
  /** Contains a `$dynamicRef`: depends on the dynamic scope, so not cached. */
  readonly dynamic: boolean;
}

/** `$dynamicAnchor` name → the schema bound to it, outermost first. */
type Scope = ReadonlyMap<string, unknown>;

const DROP = new Set([
  "discriminator",
  "xml",
  "externalDocs",
  "nullable",
  "$id",
  "$schema",
  "$anchor",
  "$dynamicAnchor",
  "$comment",
  "$defs",
  "definitions",
  "$vocabulary",
]);
const SINGLE = new Set([
  "additionalProperties",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "unevaluatedItems",
  "unevaluatedProperties",
]);
const MAPS = new Set(["properties", "patternProperties", "dependentSchemas"]);
const LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
/** Keywords a `$ref`'s siblings may carry and still be merged into the target. */
const ANNOTATIONS = new Set([
  "title",
  "description",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

class Collector {
  refs: Set<string> | undefined;
  dynamic = false;

  add(c: Converted): unknown {
    if (c.dynamic) this.dynamic = true;
    if (c.refs !== undefined) for (const r of c.refs) this.ref(r);
    return c.schema;
  }

  ref(pointer: string): void {
    this.refs ??= new Set();
    this.refs.add(pointer);
  }
}

/** Converts the schemas of one document. */
export class SchemaConverter {
  readonly #doc: LoadedDocument;
  readonly #cache = { request: new WeakMap<object, Converted>(), response: new WeakMap<object, Converted>() };
  readonly #defs = { request: new Map<string, Converted>(), response: new Map<string, Converted>() };
  readonly #names = new Map<string, string>();
  readonly #taken = new Set<string>();

  constructor(doc: LoadedDocument) {
    this.#doc = doc;
  }

  /** A builder for one self-contained schema (a tool's input or output). */
  builder(mode: Mode): SchemaBuilder {
    return new SchemaBuilder(this, mode);
  }

  /** The `$defs` name of a pointer, the same in every schema of this document. */
  defName(pointer: string): string {
    let name = this.#names.get(pointer);
    if (name !== undefined) return name;
    const last = pointer.split("/").at(-1) ?? "";
    const base =
      last
        .replace(/~1/g, "/")
        .replace(/~0/g, "~")
        .replace(/[^A-Za-z0-9_.-]+/g, "_") || "Schema";
    name = base;
    for (let i = 2; this.#taken.has(name); i += 1) name = `${base}_${i}`;
    this.#taken.add(name);
    this.#names.set(pointer, name);
    return name;
  }

  /** The converted schema a pointer names, for `$defs`. */
  def(pointer: string, mode: Mode): Converted {
    const known = this.#defs[mode].get(pointer);
    if (known !== undefined) return known;
    // Its own `$ref`s to itself stay references: this converts it once.
    const converted = this.convert(this.#doc.resolve(pointer), mode, new Map());
    this.#defs[mode].set(pointer, converted);
    return converted;
  }

  /** Converts one schema; `scope` binds `$dynamicRef`s. */
  convert(node: unknown, mode: Mode, scope: Scope): Converted {
    if (typeof node === "boolean") return { schema: node, refs: undefined, dynamic: false };
    if (!isObject(node)) return { schema: {}, refs: undefined, dynamic: false };
    const cached = this.#cache[mode].get(node);
    if (cached !== undefined) return cached;
    const acc = new Collector();
    const schema = this.#object(node, mode, scope, acc);
    const converted = { schema, refs: acc.refs, dynamic: acc.dynamic };
    if (!acc.dynamic) this.#cache[mode].set(node, converted);
    return converted;
  }

  /** True when the schema (or the one its `$ref` names) carries `flag: true`. */
  flagged(node: unknown, flag: "readOnly" | "writeOnly"): boolean {
    if (!isObject(node)) return false;
    if (node[flag] === true) return true;
    if (typeof node.$ref !== "string") return false;
    const target = this.#doc.resolve(node.$ref);
    return isObject(target) && target[flag] === true;
  }

  /**
   * The property names a root schema (its top `$ref`s followed, as `root` does) leaves out in
   * `mode`: the `readOnly` ones of a request body, which are then not sent either.
   */
  hiddenProperties(node: unknown, mode: Mode): string[] {
    let target = node;
    for (let hops = 0; hops < 32 && isObject(target) && typeof target.$ref === "string"; hops += 1) {
      target = this.#doc.resolve(target.$ref);
    }
    if (!isObject(target) || !isObject(target.properties)) return [];
    const hidden = mode === "request" ? "readOnly" : "writeOnly";
    return Object.entries(target.properties)
      .filter(([, schema]) => this.flagged(schema, hidden))
      .map(([name]) => name);
  }

  #object(node: JsonObject, mode: Mode, scope: Scope, acc: Collector): unknown {
    const ref = node.$ref;
    if (typeof ref === "string") {
      acc.ref(ref);
      const out: JsonObject = { $ref: `#/$defs/${this.defName(ref)}` };
      // OpenAPI 3.0 ignores a `$ref`'s siblings; 2020-12 applies them too.
      return this.#doc.version === "3.0" ? out : { ...this.keywords(node, mode, scope, acc), ...out };
    }
    const dynamicRef = node.$dynamicRef;
    if (typeof dynamicRef === "string") {
      acc.dynamic = true;
      const bound = scope.get(dynamicRef.slice(dynamicRef.indexOf("#") + 1));
      const rest = this.keywords(node, mode, scope, acc);
      if (bound === undefined) return rest;
      const target = acc.add(this.convert(bound, mode, scope));
      return Object.keys(rest).length === 0 ? target : { ...rest, allOf: [target] };
    }
    return this.keywords(node, mode, withAnchors(node, scope), acc);
  }

  /** The node's keywords converted (a `$ref` or `$dynamicRef` on it left out). */
  keywords(node: JsonObject, mode: Mode, scope: Scope, acc: Collector): JsonObject {
    const out: JsonObject = {};
    const sub = (value: unknown) => acc.add(this.convert(value, mode, scope));
    const hidden = mode === "request" ? "readOnly" : "writeOnly";
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" || key === "$dynamicRef" || DROP.has(key) || key.startsWith("x-")) continue;
      if (SINGLE.has(key)) out[key] = sub(value);
      else if (key === "items") {
        if (Array.isArray(value)) out.prefixItems = value.map(sub);
        else out.items = sub(value);
      } else if (MAPS.has(key) && isObject(value)) {
        const map: JsonObject = {};
        for (const [name, schema] of Object.entries(value)) {
          if (key === "properties" && this.flagged(schema, hidden)) continue;
          map[name] = sub(schema);
        }
        out[key] = map;
      } else if (LISTS.has(key) && Array.isArray(value)) out[key] = value.map(sub);
      else if (key === "example") {
        if (node.examples === undefined) out.examples = [value];
      } else out[key] = value;
    }
    if (isObject(out.properties) && Array.isArray(out.required)) {
      const props = out.properties;
      const hiddenNames = Object.keys(isObject(node.properties) ? node.properties : {}).filter(
        (name) => !(name in props),
      );
      if (hiddenNames.length > 0)
        out.required = out.required.filter((r) => !hiddenNames.includes(r as string));
    }
    exclusive(node, out, "exclusiveMinimum", "minimum");
    exclusive(node, out, "exclusiveMaximum", "maximum");
    return node.nullable === true ? nullable(out) : out;
  }

  /** A root schema: a `$ref` at the top is inlined (cycles stay `$defs` below it). */
  root(
    node: unknown,
    mode: Mode,
    refs: Set<string>,
    scope: Scope = new Map(),
    seen: readonly string[] = [],
  ): unknown {
    if (!isObject(node) || typeof node.$ref !== "string" || seen.includes(node.$ref)) {
      const converted = this.convert(node, mode, scope);
      for (const r of converted.refs ?? []) refs.add(r);
      return converted.schema;
    }
    const ref = node.$ref;
    const acc = new Collector();
    const inner = withAnchors(node, scope);
    const rest = this.#doc.version === "3.0" ? {} : this.keywords(node, mode, inner, acc);
    for (const r of acc.refs ?? []) refs.add(r);
    const target = this.root(this.#doc.resolve(ref), mode, refs, inner, [...seen, ref]);
    const keys = Object.keys(rest);
    if (keys.length === 0) return target;
    if (isObject(target) && keys.every((k) => ANNOTATIONS.has(k))) return { ...target, ...rest };
    return { ...rest, allOf: [target] };
  }
}

/** Collects the cyclic schemas a tool schema refers to and adds them as `$defs`. */
export class SchemaBuilder {
  readonly #converter: SchemaConverter;
  readonly #mode: Mode;
  readonly #refs = new Set<string>();

  constructor(converter: SchemaConverter, mode: Mode) {
    this.#converter = converter;
    this.#mode = mode;
  }

  /** Converts a schema used at the top of a parameter, body or response. */
  convert(node: unknown): unknown {
    return this.#converter.root(node, this.#mode, this.#refs);
  }

  /** `schema` with the `$defs` its references need. */
  finish(schema: JsonObject): JsonObject {
    if (this.#refs.size === 0) return schema;
    const defs: JsonObject = {};
    const queue = [...this.#refs];
    const done = new Set<string>();
    for (let pointer = queue.pop(); pointer !== undefined; pointer = queue.pop()) {
      if (done.has(pointer)) continue;
      done.add(pointer);
      const def = this.#converter.def(pointer, this.#mode);
      defs[this.#converter.defName(pointer)] = def.schema;
      for (const r of def.refs ?? []) if (!done.has(r)) queue.push(r);
    }
    return { ...schema, $defs: defs };
  }
}

/** The scope with the node's `$defs` that declare a `$dynamicAnchor` (outer bindings win). */
function withAnchors(node: JsonObject, scope: Scope): Scope {
  if (!isObject(node.$defs)) return scope;
  let next: Map<string, unknown> | undefined;
  for (const def of Object.values(node.$defs)) {
    if (!isObject(def) || typeof def.$dynamicAnchor !== "string" || scope.has(def.$dynamicAnchor)) continue;
    next ??= new Map(scope);
    next.set(def.$dynamicAnchor, def);
  }
  return next ?? scope;
}

/** OpenAPI 3.0 boolean `exclusiveMinimum` (with `minimum`) → the 2020-12 number. */
function exclusive(node: JsonObject, out: JsonObject, key: string, bound: string): void {
  if (typeof node[key] !== "boolean") return;
  if (node[key] === true && typeof node[bound] === "number") {
    out[key] = node[bound];
    delete out[bound];
  } else delete out[key];
}

/** OpenAPI 3.0 `nullable: true` → `"null"` added to the type (or an `anyOf` with null). */
function nullable(out: JsonObject): JsonObject {
  const type = out.type;
  if (typeof type === "string" || Array.isArray(type)) {
    const types = typeof type === "string" ? [type] : type;
    const result: JsonObject = { ...out, type: types.includes("null") ? types : [...types, "null"] };
    if (Array.isArray(out.enum) && !out.enum.includes(null)) result.enum = [...out.enum, null];
    return result;
  }
  const { title, description, ...rest } = out;
  const wrapped: JsonObject = { anyOf: [rest, { type: "null" }] };
  if (title !== undefined) wrapped.title = title;
  if (description !== undefined) wrapped.description = description;
  return wrapped;
}
