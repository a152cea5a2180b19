/**
 * `$ref` resolution inside one schema document: JSON Pointer fragments (`#/$defs/a`), `$anchor`
 * (and `$dynamicAnchor`) names (`#a`), and URIs made absolute against the `$id`s of the
 * document's schema resources (`"$id": "item.json"` … `"$ref": "item.json#/$defs/b"`). Nothing is
 * fetched: a reference to another document does not resolve. The index of a document is built
 * once (one walk over its subschemas) and kept for as long as the schema object lives.
 */
import { LISTS, MAPS, SINGLE, shapeProblem } from "./_shape.ts";
import { isObject, isSchema, type Schema, type SchemaObject } from "./_util.ts";

/** Base URI of a document without `$id`: only ever joined with relative references, never fetched. */
const DEFAULT_BASE = "https://schema.invalid/root.json";

export interface RefTarget {
  schema: Schema;
  /** Base URI in effect at the target. */
  base: string;
  /**
   * The target is a resource of its own (it has an `$id`) reached by a JSON Pointer through the
   * one around it: that one only gives the base, and does not join the dynamic scope (the target
   * does, when it is checked). A target inside a resource enters that resource.
   */
  through?: true;
}

export interface RefIndex {
  readonly rootBase: string;
  /** URI (no fragment) of each schema resource → its schema. */
  readonly resources: Map<string, Schema>;
  /** `uri#name` → schema carrying that `$anchor`. */
  readonly anchors: Map<string, Schema>;
  /** `uri#name` → schema carrying that `$dynamicAnchor` (also in `anchors`). */
  readonly dynamicAnchors: Map<string, Schema>;
  /** Schema object with `$id` → its absolute URI. */
  readonly ids: WeakMap<object, string>;
  readonly cache: Map<string, RefTarget | null>;
  /** Every `$ref` / `$dynamicRef` in the document with the base it is resolved against. */
  readonly refs: Array<[ref: string, base: string]>;
  /** Why the document cannot be applied as written (see `_shape.ts`), if it cannot. */
  problem: string | undefined;
}

/** Deepest subschema the index walks; a deeper (or cyclic) schema object is refused. */
const MAX_NESTING = 64;

function absolute(ref: string, base: string): URL | undefined {
  try {
    return new URL(ref, base);
  } catch {
    return undefined;
  }
}

function withoutFragment(url: URL): string {
  const href = url.href;
  const hash = href.indexOf("#");
  return hash === -1 ? href : href.slice(0, hash);
}

/** Base URI of a schema object that declares `$id`, relative to the enclosing `base`. */
export function idBase(index: RefIndex, schema: SchemaObject, base: string): string {
  const known = index.ids.get(schema);
  if (known !== undefined) return known;
  const url = typeof schema.$id === "string" ? absolute(schema.$id, base) : undefined;
  return url === undefined ? base : withoutFragment(url);
}

function walk(index: RefIndex, node: unknown, parentBase: string, depth: number): void {
  if (!isObject(node)) return;
  if (depth > MAX_NESTING) {
    index.problem ??= `subschemas nested deeper than ${MAX_NESTING} levels`;
    return;
  }
  index.problem ??= shapeProblem(node);
  let base = parentBase;
  if (typeof node.$id === "string") {
    const url = absolute(node.$id, parentBase);
    if (url !== undefined) {
      base = withoutFragment(url);
      index.ids.set(node, base);
      if (!index.resources.has(base)) index.resources.set(base, node);
    }
  }
  for (const keyword of ["$anchor", "$dynamicAnchor"]) {
    const name = node[keyword];
    if (typeof name === "string" && !index.anchors.has(`${base}#${name}`)) {
      index.anchors.set(`${base}#${name}`, node);
    }
  }
  for (const keyword of ["$ref", "$dynamicRef"]) {
    if (typeof node[keyword] === "string") index.refs.push([node[keyword], base]);
  }
  if (typeof node.$dynamicAnchor === "string")
    index.dynamicAnchors.set(`${base}#${node.$dynamicAnchor}`, node);
  for (const keyword of SINGLE) if (isObject(node[keyword])) walk(index, node[keyword], base, depth + 1);
  for (const keyword of LISTS) {
    const list = node[keyword];
    if (Array.isArray(list)) for (const sub of list) walk(index, sub, base, depth + 1);
  }
  for (const keyword of MAPS) {
    const map = node[keyword];
    if (isObject(map)) for (const sub of Object.values(map)) walk(index, sub, base, depth + 1);
  }
}

const indexes = new WeakMap<object, RefIndex>();

/** The (cached) reference index of a root schema. */
export function refIndex(root: SchemaObject): RefIndex {
  let index = indexes.get(root);
  if (index === undefined) {
    const url = typeof root.$id === "string" ? absolute(root.$id, DEFAULT_BASE) : undefined;
    const rootBase = url === undefined ? DEFAULT_BASE : withoutFragment(url);
    index = {
      rootBase,
      resources: new Map(),
      anchors: new Map(),
      dynamicAnchors: new Map(),
      ids: new WeakMap(),
      cache: new Map(),
      refs: [],
      problem: undefined,
    };
    index.resources.set(rootBase, root);
    walk(index, root, DEFAULT_BASE, 0);
    indexes.set(root, index);
  }
  return index;
}

function followPointer(index: RefIndex, start: Schema, base: string, pointer: string): RefTarget | null {
  let node: unknown = start;
  let at = base;
  let above = base;
  for (const raw of pointer.split("/").slice(1)) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return null;
    }
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, key)) return null;
    node = (node as Record<string, unknown>)[key];
    above = at;
    // an embedded resource crossed on the way changes the base of what lies below it
    if (isObject(node) && typeof node.$id === "string") at = idBase(index, node, at);
  }
  if (!isSchema(node)) return null;
  // the target's own `$id` is applied when it is checked, so report the base above it
  if (isObject(node) && typeof node.$id === "string") return { schema: node, base: above, through: true };
  return { schema: node, base: above };
}

/** Resolves `ref` against `base`; `null` when it points outside the document or nowhere. */
export function resolveRef(index: RefIndex, ref: string, base: string): RefTarget | null {
  const key = `${base} ${ref}`;
  const cached = index.cache.get(key);
  if (cached !== undefined) return cached;
  let target: RefTarget | null = null;
  const url = absolute(ref, base);
  if (url !== undefined) {
    const doc = withoutFragment(url);
    const fragment = url.hash.slice(1);
    const resource = index.resources.get(doc);
    if (resource !== undefined) {
      if (fragment === "") target = { schema: resource, base: doc };
      else if (fragment.startsWith("/")) target = followPointer(index, resource, doc, fragment);
      else {
        let name: string | undefined;
        try {
          name = decodeURIComponent(fragment);
        } catch {
          name = undefined;
        }
        const anchored = name === undefined ? undefined : index.anchors.get(`${doc}#${name}`);
        if (anchored !== undefined) target = { schema: anchored, base: doc };
      }
    }
  }
  index.cache.set(key, target);
  return target;
}

/** Why a schema cannot be applied as written: a malformed keyword, or a `$ref` that does not resolve. */
export function schemaProblem(root: SchemaObject): string | undefined {
  const index = refIndex(root);
  if (index.problem !== undefined) return index.problem;
  const ref = index.refs.find(([r, base]) => resolveRef(index, r, base) === null)?.[0];
  return ref === undefined
    ? undefined
    : `$ref ${JSON.stringify(ref)} does not resolve inside the schema (nothing is fetched)`;
}
