/**
 * valibot → JSON Schema 2020-12 for tool schemas, kept small (it is in every bundle that uses
 * valibot): string, number, boolean, null, any, unknown, literal, picklist, enum, array, tuples,
 * objects (plain, loose, strict, with rest), record, optional/exact_optional/undefinedable (with
 * defaults), nullable, nullish, union, variant, intersect; pipe actions min/max length (and
 * length, non_empty), min/max/gt/lt value, integer, email/url/uuid/iso_date/iso_date_time formats,
 * regex (when its source also compiles with the `u` flag), title, description and metadata
 * (copied as keywords, e.g. `x-mcp-header`). Valibot still validates, so another action
 * (`check`, `trim`, `not_length`, `ipv4`, …) is only left out of the description; a pipe stops at
 * the first transformation that changes the type. Any other schema type (`lazy`, `date`,
 * `bigint`, `map`, …) throws a PorticoError naming it: give such a tool `jsonSchema(…)`.
 */
import { PorticoError } from "../errors.ts";

type Json = Record<string, unknown>;

/** The structural shape of a valibot schema or action (only what is read here). */
interface Node {
  readonly kind: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

/** Actions whose requirement is one keyword's value. */
const KEYWORDS: Json = {
  min_value: "minimum",
  max_value: "maximum",
  gt_value: "exclusiveMinimum",
  lt_value: "exclusiveMaximum",
};
/** Actions that name a format (valibot's other formats are left out). */
const FORMATS: Json = {
  email: "email",
  url: "uri",
  uuid: "uuid",
  iso_date: "date",
  iso_date_time: "date-time",
};

/** Transformations after which the value has another type: the JSON Schema describes what comes before. */
const CHANGES_TYPE = /^(to_[^lmu]|parse|stringify|.*transform|find|reduce|map_)/;

/** The wrappers valibot lets an object leave out (`non_optional` is required). */
const isOptional = (type: string): boolean =>
  type === "optional" || type === "exact_optional" || type === "nullish";

/** Schema types that accept `undefined`, so a tuple item of one may be missing. */
const ACCEPTS_UNDEFINED = ["optional", "nullish", "undefinedable", "any", "unknown"];

/** Whether a regex source is also a pattern clients can compile (ECMA-262 with the `u` flag). */
function compilesWithU(source: string): boolean {
  try {
    new RegExp(source, "u");
    return true;
  } catch {
    return false;
  }
}

const isJsonScalar = (x: unknown): boolean =>
  typeof x === "string" || typeof x === "boolean" || Number.isFinite(x);

/** A valibot schema (or a pipe of one) as JSON Schema; `name` (the tool's) goes into errors. */
function convert(s: Node, name: string): Json {
  if (!Array.isArray(s.pipe)) return base(s, name);
  let out: Json | undefined;
  for (const item of s.pipe as Node[]) {
    if (item.kind === "schema" ? out : out === undefined || CHANGES_TYPE.test(item.type)) break;
    out = out ? action(out, item) : convert(item, name);
  }
  return out ?? {};
}

/**
 * The converter's kinds of valibot schema types: one decision, shared by `base` (which converts)
 * and `assertValibotConvertible` (which only checks, at registration). `undefined`: not supported.
 */
type Kind =
  | "scalar"
  | "any"
  | "literal"
  | "array"
  | "wrapper"
  | "union"
  | "intersect"
  | "record"
  | "tuple"
  | "object"
  | "enum";

function kindOf(s: Node): Kind | undefined {
  const t = s.type;
  // String tests, not regular expressions: each expression costs its compilation the first time,
  // and this runs for every tool a cold start registers.
  if (t === "string" || t === "number" || t === "boolean" || t === "null") return "scalar";
  if (t === "any" || t === "unknown") return "any";
  if (t === "literal") return isJsonScalar(s.literal) ? "literal" : undefined;
  if (t === "array") return "array";
  if (isOptional(t) || t === "undefinedable" || t === "nullable" || t === "non_optional") return "wrapper";
  if (t === "union" || t === "variant") return "union";
  if (t === "intersect") return "intersect";
  if (t === "record") return "record";
  if (t.includes("tuple")) return "tuple";
  if (t.includes("object")) return "object";
  if (t === "picklist" || t === "enum") {
    const options = s.options as unknown[];
    return options.every((o) => typeof o === "string" || Number.isFinite(o)) ? "enum" : undefined;
  }
  return undefined;
}

function unsupported(s: Node, name: string): PorticoError {
  return new PorticoError(
    "schema_not_convertible",
    `The schema of "${name}" has no JSON Schema form: valibot's "${s.type}" is not supported`,
  );
}

/**
 * One schema type. Module-level functions, not closures in the converter: a cold start compiles
 * each once, where closures get their enclosing function parsed again.
 */
function base(s: Node, name: string): Json {
  const t = s.type;
  const sub = (node: unknown) => convert(node as Node, name);
  const map = (key: string) => (s[key] as Node[]).map(sub);
  const rest = () => (s.rest ? sub(s.rest) : t.startsWith("strict") ? false : undefined);
  switch (kindOf(s)) {
    case "scalar":
      return { type: t };
    case "any":
      return {};
    case "literal":
      return { const: s.literal };
    case "array":
      return { type: t, items: sub(s.item) };
    case "wrapper": {
      const inner = sub(s.wrapped);
      const out = t.startsWith("null") ? { anyOf: [inner, { type: "null" }] } : inner;
      const value = defaultOf(s);
      return value === undefined ? out : { ...out, default: value };
    }
    case "union":
      return { anyOf: map("options") };
    case "intersect":
      return { allOf: map("options") };
    case "record":
      return { type: "object", propertyNames: sub(s.key), additionalProperties: sub(s.value) };
    case "tuple": {
      const items = s.items as Node[];
      // valibot checks a missing item as `undefined`: trailing items that accept it may be missing
      let minItems = items.length;
      while (minItems > 0 && ACCEPTS_UNDEFINED.includes(items[minItems - 1]!.type)) minItems--;
      const out: Json = { type: "array", prefixItems: map("items"), minItems };
      const more = rest();
      return more === undefined ? out : { ...out, items: more };
    }
    case "object": {
      const entries = Object.entries(s.entries as Record<string, Node>);
      // fromEntries defines own properties: an entry named `__proto__` stays one
      const properties: Json = Object.fromEntries(entries.map(([key, entry]) => [key, sub(entry)]));
      const required = entries.filter(([, entry]) => !isOptional(entry.type)).map(([key]) => key);
      const out: Json = { type: "object", properties, required };
      const more = rest();
      return more === undefined ? out : { ...out, additionalProperties: more };
    }
    case "enum": {
      const options = s.options as unknown[];
      const types = [...new Set(options.map((o) => typeof o))];
      return { type: types.length > 1 ? types : types[0], enum: options };
    }
    default:
      throw unsupported(s, name);
  }
}

/**
 * A wrapper's default, for the description. One given as a function is called (when the JSON
 * Schema is first needed); one that throws is left out, as a default that is not JSON is: it only
 * annotates the schema, and must not keep `tools/list` from answering.
 */
function defaultOf(s: Node): unknown {
  let value: unknown;
  try {
    value = typeof s.default === "function" ? (s.default as () => unknown)() : s.default;
  } catch {
    return undefined;
  }
  return isJsonValue(value) ? value : undefined;
}

/** Whether `value` is JSON as it is (no BigInt, Date, Map, function, cycle …), within the converter's depth. */
function isJsonValue(value: unknown, depth = 0): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (typeof value !== "object" || depth > 32) return false;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) return value.every((v) => isJsonValue(v, depth + 1));
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((v) => isJsonValue(v, depth + 1));
}

/** The schema nodes `convert` descends into from `s` (a pipe's own schema first). */
function childrenOf(s: Node): Node[] {
  if (Array.isArray(s.pipe)) return [s.pipe[0] as Node];
  const kind = kindOf(s);
  const rest = s.rest ? [s.rest as Node] : [];
  if (kind === "array") return [s.item as Node];
  if (kind === "wrapper") return [s.wrapped as Node];
  if (kind === "union" || kind === "intersect") return s.options as Node[];
  if (kind === "record") return [s.key as Node, s.value as Node];
  if (kind === "tuple") return [...(s.items as Node[]), ...rest];
  if (kind === "object") return [...Object.values(s.entries as Record<string, Node>), ...rest];
  return [];
}

/**
 * Throws what {@link valibotToJsonSchema} would throw for an unsupported type, without converting:
 * registration checks this at once and converts when the JSON Schema is first asked for. Returns
 * whether any pipe on the way carries metadata (the only source of `x-mcp-header` and other extra
 * keywords), so a caller can tell "no annotations" without converting.
 */
export function assertValibotConvertible(schema: object, name: string): boolean {
  let metadata = false;
  const stack: [Node, number][] = [[schema as Node, 0]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [s, depth] = next;
    // Only a schema made to contain itself gets this deep (valibot builds trees): refuse it here,
    // where converting it would overflow the stack.
    if (depth > MAX_DEPTH) {
      throw new PorticoError(
        "schema_not_convertible",
        `The schema of "${name}" has no JSON Schema form: it is nested more than ${MAX_DEPTH} levels deep (does it contain itself?)`,
      );
    }
    if (Array.isArray(s.pipe)) metadata ||= (s.pipe as Node[]).some((a) => a.type === "metadata");
    else if (kindOf(s) === undefined) throw unsupported(s, name);
    for (const child of childrenOf(s)) stack.push([child, depth + 1]);
  }
  return metadata;
}

/** How deep the registration check follows a schema (pipes and wrappers count as levels). */
const MAX_DEPTH = 1000;

/**
 * Whether {@link valibotToJsonSchema} gives `schema` the JSON Schema type `"object"` — decided at
 * the root where it can be, `undefined` where only converting says (a pipe's action may set `type`).
 */
export function valibotDescribesObject(schema: object): boolean | undefined {
  const s = schema as Node;
  if (Array.isArray(s.pipe)) {
    const actions = (s.pipe as Node[]).slice(1);
    // Of the actions, only metadata (any keyword) and integer set `type`.
    const typed = actions.some((a) => a.type === "metadata" || a.type.includes("integer"));
    return typed ? undefined : valibotDescribesObject(s.pipe[0] as Node);
  }
  const kind = kindOf(s);
  if (kind === "object" || kind === "record") return true;
  if (kind === "wrapper" && !s.type.startsWith("null")) return valibotDescribesObject(s.wrapped as Node);
  return false;
}

/** The schema with one pipe action applied (a new object: metadata keys are copied, never set). */
function action(out: Json, a: Node): Json {
  const t = a.type;
  const r = a.requirement;
  const unit = out.type === "array" ? "Items" : "Length";
  if (Object.hasOwn(FORMATS, t)) return { ...out, format: FORMATS[t] };
  if (Object.hasOwn(KEYWORDS, t)) return Number.isFinite(r) ? { ...out, [KEYWORDS[t] as string]: r } : out;
  if (/^((min_|max_)?length|non_empty)$/.test(t)) {
    const next = t === "max_length" ? out : { ...out, [`min${unit}`]: r ?? 1 };
    return /^(max_)?length/.test(t) ? { ...next, [`max${unit}`]: r } : next;
  }
  if (/integer/.test(t)) return { ...out, type: "integer" };
  if (t === "regex" && /^u?$/.test((r as RegExp).flags) && compilesWithU((r as RegExp).source)) {
    return { ...out, pattern: (r as RegExp).source };
  }
  if (t === "title" || t === "description") return { ...out, [t]: a[t] };
  return t === "metadata" ? { ...out, ...(a.metadata as Json) } : out;
}

/** Converts a valibot schema; `name` (the tool's) goes into the error for an unsupported type. */
export function valibotToJsonSchema(schema: object, name: string): Json {
  return { ...convert(schema as Node, name), $schema: "https://json-schema.org/draft/2020-12/schema" };
}
