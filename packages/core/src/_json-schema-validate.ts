import { canonicalJson } from "./_encoding.ts";

/**
 * A small, eval-free JSON Schema (2020-12 subset) validator for schemas given as plain JSON:
 * type, enum, const, properties, required, additionalProperties, items, prefixItems,
 * min/max(Length|Items|imum), pattern, allOf/anyOf/oneOf/not, and local `$ref`s. Unknown keywords
 * are ignored, so it never rejects what a full validator would accept for those keywords.
 */

export interface SchemaIssue {
  /** JSON Pointer to the offending value ("" is the root). */
  path: string;
  message: string;
}

type Schema = Record<string, unknown> | boolean;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

function equal(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function patternMatches(pattern: string, key: string): boolean {
  try {
    return new RegExp(pattern, "u").test(key);
  } catch {
    return false;
  }
}

function resolveRef(root: Record<string, unknown>, ref: string): Schema | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").filter(Boolean)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === "object" || typeof node === "boolean" ? (node as Schema) : undefined;
}

const MAX_DEPTH = 64;

function check(
  schema: Schema,
  value: unknown,
  path: string,
  root: Record<string, unknown>,
  issues: SchemaIssue[],
  depth: number,
): void {
  if (schema === true) return;
  if (schema === false) {
    issues.push({ path, message: "No value is allowed here" });
    return;
  }
  if (depth > MAX_DEPTH) return;
  const s = schema;
  if (typeof s.$ref === "string") {
    const target = resolveRef(root, s.$ref);
    if (target !== undefined) check(target, value, path, root, issues, depth + 1);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(value, t))) {
      issues.push({ path, message: `Expected ${types.join(" or ")}, received ${typeOf(value)}` });
      return;
    }
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, value))) {
    issues.push({ path, message: `Expected one of ${JSON.stringify(s.enum)}` });
  }
  if ("const" in s && !equal(s.const, value))
    issues.push({ path, message: `Expected ${JSON.stringify(s.const)}` });
  if (typeof value === "string") {
    if (typeof s.minLength === "number" && [...value].length < s.minLength) {
      issues.push({ path, message: `Expected at least ${s.minLength} characters` });
    }
    if (typeof s.maxLength === "number" && [...value].length > s.maxLength) {
      issues.push({ path, message: `Expected at most ${s.maxLength} characters` });
    }
    if (typeof s.pattern === "string") {
      try {
        if (!new RegExp(s.pattern, "u").test(value))
          issues.push({ path, message: `Expected to match ${s.pattern}` });
      } catch {
        // an invalid pattern in the schema is the author's problem, not the caller's
      }
    }
  }
  if (typeof value === "number") {
    if (typeof s.minimum === "number" && value < s.minimum)
      issues.push({ path, message: `Expected >= ${s.minimum}` });
    if (typeof s.maximum === "number" && value > s.maximum)
      issues.push({ path, message: `Expected <= ${s.maximum}` });
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) {
      issues.push({ path, message: `Expected > ${s.exclusiveMinimum}` });
    }
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) {
      issues.push({ path, message: `Expected < ${s.exclusiveMaximum}` });
    }
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[]) : [];
    value.forEach((item, i) => {
      const itemSchema = i < prefix.length ? prefix[i] : (s.items as Schema | undefined);
      if (itemSchema !== undefined) check(itemSchema, item, `${path}/${i}`, root, issues, depth + 1);
    });
    if (typeof s.minItems === "number" && value.length < s.minItems) {
      issues.push({ path, message: `Expected at least ${s.minItems} items` });
    }
    if (typeof s.maxItems === "number" && value.length > s.maxItems) {
      issues.push({ path, message: `Expected at most ${s.maxItems} items` });
    }
  }
  if (typeOf(value) === "object") {
    const obj = value as Record<string, unknown>;
    const props = (typeof s.properties === "object" && s.properties !== null ? s.properties : {}) as Record<
      string,
      Schema
    >;
    if (Array.isArray(s.required)) {
      for (const key of s.required as string[]) {
        if (!(key in obj))
          issues.push({ path: `${path}/${escapePointer(key)}`, message: "Required property is missing" });
      }
    }
    for (const [key, child] of Object.entries(obj)) {
      const childPath = `${path}/${escapePointer(key)}`;
      const propSchema = props[key];
      const patterns = Object.entries(
        (typeof s.patternProperties === "object" && s.patternProperties !== null
          ? s.patternProperties
          : {}) as Record<string, Schema>,
      ).filter(([pattern]) => patternMatches(pattern, key));
      for (const [, patternSchema] of patterns)
        check(patternSchema, child, childPath, root, issues, depth + 1);
      if (propSchema !== undefined) check(propSchema, child, childPath, root, issues, depth + 1);
      else if (patterns.length > 0) continue;
      else if (s.additionalProperties === false)
        issues.push({ path: childPath, message: "Unknown property" });
      else if (typeof s.additionalProperties === "object" && s.additionalProperties !== null) {
        check(s.additionalProperties as Schema, child, childPath, root, issues, depth + 1);
      }
    }
  }
  combinators(s, value, path, root, issues, depth);
}

function combinators(
  s: Record<string, unknown>,
  value: unknown,
  path: string,
  root: Record<string, unknown>,
  issues: SchemaIssue[],
  depth: number,
): void {
  const passes = (sub: Schema) => {
    const local: SchemaIssue[] = [];
    check(sub, value, path, root, local, depth + 1);
    return local;
  };
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) issues.push(...passes(sub));
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => passes(sub).length === 0)) {
    issues.push({ path, message: "Expected the value to match at least one allowed schema" });
  }
  if (
    Array.isArray(s.oneOf) &&
    (s.oneOf as Schema[]).filter((sub) => passes(sub).length === 0).length !== 1
  ) {
    issues.push({ path, message: "Expected the value to match exactly one allowed schema" });
  }
  if (s.not !== undefined && passes(s.not as Schema).length === 0) {
    issues.push({ path, message: "The value matches a schema it must not match" });
  }
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Validates `value` against a plain JSON Schema; an empty array means valid. */
export function validateJsonSchema(schema: Record<string, unknown>, value: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  check(schema, value, "", schema, issues, 0);
  return issues;
}
