/** Shared types and small helpers of core's JSON Schema validator (see `_json-schema-validate.ts`). */

export interface SchemaIssue {
  /** JSON Pointer to the offending value ("" is the root). */
  path: string;
  message: string;
}

export type Schema = Record<string, unknown> | boolean;
export type SchemaObject = Record<string, unknown>;

/**
 * What a schema evaluated on the instance, for `unevaluatedProperties` / `unevaluatedItems`:
 * property names, the evaluated prefix length of an array, and single indexes (from `contains`).
 */
export interface Evaluated {
  props: Set<string>;
  items: number;
  marked: Set<number> | undefined;
}

export function evaluated(): Evaluated {
  return { props: new Set(), items: 0, marked: undefined };
}

export function merge(into: Evaluated, from: Evaluated): void {
  for (const key of from.props) into.props.add(key);
  if (from.items > into.items) into.items = from.items;
  if (from.marked !== undefined) {
    into.marked ??= new Set();
    for (const i of from.marked) into.marked.add(i);
  }
}

/** Applies a subschema to a value at `path`, pushing issues into `issues`; returns what it evaluated. */
export type Apply = (schema: Schema, value: unknown, path: string, issues: SchemaIssue[]) => Evaluated;

export function isObject(value: unknown): value is SchemaObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isSchema(value: unknown): value is Schema {
  return typeof value === "boolean" || isObject(value);
}

/** Own property only, so `toString` or `__proto__` never come from the prototype. */
export function own(obj: SchemaObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

export function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/**
 * JSON equality: key order does not matter, 1 equals 1.0, and a property whose value is `undefined`
 * is no property. Compared side by side with an explicit stack (no recursion, however deep), and
 * it stops at the first difference — a type, a length or a key count — so checking a client's large
 * value against a short `enum` entry costs next to nothing.
 */
export function equal(a: unknown, b: unknown): boolean {
  const pending: unknown[] = [a, b];
  while (pending.length > 0) {
    const y = pending.pop();
    const x = pending.pop();
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) pending.push(x[i], y[i]);
      continue;
    }
    if (Array.isArray(y)) return false;
    const xs = x as Record<string, unknown>;
    const ys = y as Record<string, unknown>;
    let count = 0;
    for (const key of Object.keys(xs)) {
      if (xs[key] === undefined) continue;
      count++;
      if (!Object.hasOwn(ys, key)) return false;
      pending.push(xs[key], ys[key]);
    }
    for (const key of Object.keys(ys)) if (ys[key] !== undefined) count--;
    if (count !== 0) return false;
  }
  return true;
}

export function escapePointer(key: string): string {
  if (!key.includes("~") && !key.includes("/")) return key;
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

const REGEX_CACHE_MAX = 256;
const regexCache = new Map<string, RegExp | null>();

/** An ECMA-262 regex with the `u` flag as 2020-12 recommends, else without it (`\-`, a lone `{`). */
function compile(pattern: string): RegExp | null {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(pattern, flags);
    } catch {}
  }
  return null;
}

/**
 * Tests a schema `pattern`, compiling each source once; `undefined` when it does not compile
 * (`jsonSchema()` refuses such a schema, and the validator then fails closed).
 */
export function patternTest(pattern: string, text: string): boolean | undefined {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = compile(pattern);
    if (regexCache.size >= REGEX_CACHE_MAX) {
      const oldest = regexCache.keys().next().value;
      if (oldest !== undefined) regexCache.delete(oldest);
    }
    regexCache.set(pattern, re);
  }
  return re === null ? undefined : re.test(text);
}
