/**
 * The keywords core's JSON Schema validator applies, and the shape 2020-12's meta-schema gives
 * each value. A keyword whose value has another shape (`"items": [ … ]`, `"maxLength": "5"`, a
 * `pattern` that does not compile, with or without the `u` flag) would otherwise be skipped and accept every value: the schema
 * is refused instead. Checked once per schema, while its reference index is built.
 */
import { isObject, isSchema, patternTest, type SchemaObject } from "./_util.ts";

/** Keywords whose value is one subschema. */
export const SINGLE = [
  "additionalProperties",
  "items",
  "contains",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "unevaluatedItems",
  "unevaluatedProperties",
];
/** Keywords whose value is an object of subschemas (`definitions` is only walked, for `$ref`s). */
export const MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
/** Keywords whose value is an array of subschemas. */
export const LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];

const COUNTS = [
  "minLength",
  "maxLength",
  "minItems",
  "maxItems",
  "minContains",
  "maxContains",
  "minProperties",
  "maxProperties",
];
const NUMBERS = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"];
const STRINGS = ["$id", "$ref", "$dynamicRef", "$anchor", "$dynamicAnchor", "pattern"];
const TYPES = ["null", "boolean", "object", "array", "number", "string", "integer"];

const isStrings = (x: unknown): boolean => Array.isArray(x) && x.every((s) => typeof s === "string");
const isRegex = (pattern: string): boolean => patternTest(pattern, "") !== undefined;

/** Why one schema object's keywords cannot be applied as written, or `undefined`. */
export function shapeProblem(s: SchemaObject): string | undefined {
  const has = (k: string): boolean => Object.hasOwn(s, k);
  const bad = (k: string, shape: string): string => {
    const shown = JSON.stringify(s[k]) ?? String(s[k]);
    return `"${k}" must be ${shape}, not ${shown.length > 60 ? `${shown.slice(0, 60)}…` : shown}`;
  };
  for (const k of SINGLE) {
    if (has(k) && !isSchema(s[k]))
      return bad(k, k === "items" ? "a schema (tuples use prefixItems)" : "a schema");
  }
  for (const k of LISTS) {
    const list = s[k];
    if (has(k) && !(Array.isArray(list) && list.every(isSchema))) return bad(k, "an array of schemas");
  }
  for (const k of MAPS) {
    const map = s[k];
    if (has(k) && k !== "definitions" && !(isObject(map) && Object.values(map).every(isSchema))) {
      return bad(k, "an object of schemas");
    }
  }
  for (const k of COUNTS) {
    const n = s[k];
    if (has(k) && !(Number.isInteger(n) && (n as number) >= 0)) return bad(k, "a non-negative integer");
  }
  for (const k of NUMBERS) if (has(k) && !Number.isFinite(s[k])) return bad(k, "a number");
  const step = s.multipleOf;
  if (has("multipleOf") && !(Number.isFinite(step) && (step as number) > 0)) {
    return bad("multipleOf", "a number above 0");
  }
  for (const k of STRINGS) if (has(k) && typeof s[k] !== "string") return bad(k, "a string");
  if (has("pattern") && !isRegex(s.pattern as string)) {
    return bad("pattern", "a valid regular expression (ECMA-262)");
  }
  if (isObject(s.patternProperties) && !Object.keys(s.patternProperties).every(isRegex)) {
    return bad("patternProperties", "keyed by valid regular expressions (ECMA-262)");
  }
  if (has("required") && !isStrings(s.required)) return bad("required", "an array of strings");
  if (
    has("dependentRequired") &&
    !(isObject(s.dependentRequired) && Object.values(s.dependentRequired).every(isStrings))
  ) {
    return bad("dependentRequired", "an object of arrays of strings");
  }
  if (has("enum") && !Array.isArray(s.enum)) return bad("enum", "an array");
  if (has("uniqueItems") && typeof s.uniqueItems !== "boolean") return bad("uniqueItems", "a boolean");
  const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type];
  if (has("type") && !types.every((t) => TYPES.includes(t as string))) {
    return bad("type", `one of ${TYPES.join(", ")} or an array of them`);
  }
  return undefined;
}
