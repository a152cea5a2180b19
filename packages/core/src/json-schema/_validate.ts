/**
 * A small, eval-free JSON Schema 2020-12 validator for schemas given as plain JSON. It asserts:
 * type, enum, const; minLength, maxLength, pattern; minimum, maximum, exclusiveMinimum,
 * exclusiveMaximum, multipleOf; properties, patternProperties, additionalProperties,
 * propertyNames, required, dependentRequired, dependentSchemas, minProperties, maxProperties;
 * prefixItems, items, contains, minContains, maxContains, minItems, maxItems, uniqueItems;
 * allOf, anyOf, oneOf, not, if/then/else; unevaluatedProperties, unevaluatedItems; `$ref` to a
 * JSON Pointer, an `$anchor` or a `$id`-relative URI inside the same document, and `$dynamicRef` /
 * `$dynamicAnchor` within that document.
 *
 * Not asserted: `format` and the content keywords (annotations by default in 2020-12),
 * `$vocabulary`, and any unknown keyword. It fails closed: a schema that cannot be applied as
 * written (a keyword value of the wrong shape, see `_shape.ts`), a `$ref` that does not resolve
 * (nothing is fetched; `jsonSchema()` refuses both up front) and schemas nested deeper than
 * MAX_DEPTH (e.g. a `$ref` cycle that never descends into the value) fail with an issue. So does a
 * value that would take more than MAX_STEPS subschema applications: `anyOf`/`oneOf` apply every
 * branch, so a recursive schema with two branches per level costs 2^depth of the value, and a
 * client must not be able to make one validation run for minutes.
 */

import { applyItems, applyProperties, checkObjectShape, checkUniqueItems } from "./_apply.ts";
import { checkNumber, checkString, checkType, checkValue } from "./_assert.ts";
import { idBase, type RefIndex, type RefTarget, refIndex, resolveRef } from "./_ref.ts";
import {
  type Apply,
  type Evaluated,
  escapePointer,
  evaluated,
  isObject,
  isSchema,
  merge,
  type Schema,
  type SchemaIssue,
  type SchemaObject,
} from "./_util.ts";

export type { SchemaIssue } from "./_util.ts";

const MAX_DEPTH = 128;
/** Subschema applications one validation may make: far above a large linear value's needs. */
export const MAX_STEPS = 1_000_000;

/** What one validation may still spend. */
interface Work {
  left: number;
}

/**
 * The dynamic scope: base URIs of the schema resources entered so far, innermost first. A `lexical`
 * entry gives the base for resolving references only: a resource a JSON Pointer `$ref` went
 * through to reach another (the dynamic scope skips it).
 */
interface Scope {
  base: string;
  up: Scope | undefined;
  lexical?: true;
}

function enter(scope: Scope, base: string): Scope {
  return base === scope.base ? scope : { base, up: scope };
}

/**
 * The scope at a `$ref` target: the resource around it entered — but for a resource of its own
 * reached through another by a JSON Pointer, the other gives the base for lookups only.
 */
function enterTarget(scope: Scope, target: RefTarget): Scope {
  if (target.through === undefined) return enter(scope, target.base);
  return target.base === scope.base ? scope : { base: target.base, up: scope, lexical: true };
}

/**
 * `$dynamicRef`: resolved like `$ref`; when that lands on a `$dynamicAnchor` of the same name, the
 * outermost resource in the dynamic scope that declares that dynamic anchor wins.
 */
function resolveDynamicRef(index: RefIndex, ref: string, scope: Scope): RefTarget | null {
  const target = resolveRef(index, ref, scope.base);
  const hash = ref.indexOf("#");
  const name = hash === -1 ? "" : ref.slice(hash + 1);
  if (target === null || name === "" || name.startsWith("/")) return target;
  if (!isObject(target.schema) || target.schema.$dynamicAnchor !== name) return target;
  let found: RefTarget | null = target;
  for (let at: Scope | undefined = scope; at !== undefined; at = at.up) {
    if (at.lexical) continue;
    const schema = index.dynamicAnchors.get(`${at.base}#${name}`);
    if (schema !== undefined) found = { schema, base: at.base };
  }
  return found;
}

function check(
  schema: Schema,
  value: unknown,
  path: string,
  index: RefIndex,
  outer: Scope,
  depth: number,
  issues: SchemaIssue[],
  work: Work,
): Evaluated {
  const ev = evaluated();
  // once spent, everything returns at once; `validateJsonSchema` then fails the whole value
  if (--work.left < 0) return ev;
  if (schema === true) return ev;
  if (schema === false) {
    issues.push({ path, message: "No value is allowed here" });
    return ev;
  }
  if (depth > MAX_DEPTH) {
    issues.push({
      path,
      message: `Expected a value the schema can check within ${MAX_DEPTH} nested schemas`,
    });
    return ev;
  }
  const s = schema;
  const scope = enter(outer, typeof s.$id === "string" ? idBase(index, s, outer.base) : outer.base);
  const apply: Apply = (sub, v, p, out) => check(sub, v, p, index, scope, depth + 1, out, work);

  // In-place applicators whose failure fails this schema contribute what they evaluated even
  // when they fail (the outcome is the same, and `unevaluated*` then does not pile up issues on
  // properties another keyword already complained about); conditional ones only when they pass.
  for (const keyword of ["$ref", "$dynamicRef"]) {
    const ref = s[keyword];
    if (typeof ref !== "string") continue;
    const target =
      keyword === "$ref" ? resolveRef(index, ref, scope.base) : resolveDynamicRef(index, ref, scope);
    if (target === null) {
      issues.push({ path, message: `The schema's ${keyword} ${JSON.stringify(ref)} does not resolve` });
      continue;
    }
    merge(ev, check(target.schema, value, path, index, enterTarget(scope, target), depth + 1, issues, work));
  }
  if (!checkType(s, value, path, issues)) return ev;
  checkValue(s, value, path, issues);
  if (typeof value === "string") checkString(s, value, path, issues);
  if (typeof value === "number") checkNumber(s, value, path, issues);
  if (Array.isArray(value)) {
    applyItems(s, value, path, issues, ev, apply);
    if (s.uniqueItems === true) {
      checkUniqueItems(value, path, issues, (steps) => {
        work.left -= steps;
        return work.left >= 0;
      });
    }
  }
  const obj = isObject(value) ? value : undefined;
  if (obj !== undefined) {
    checkObjectShape(s, obj, path, issues);
    applyProperties(s, obj, path, issues, ev, apply);
    if (isObject(s.dependentSchemas)) {
      for (const [trigger, sub] of Object.entries(s.dependentSchemas)) {
        if (Object.hasOwn(obj, trigger) && isSchema(sub)) merge(ev, apply(sub, value, path, issues));
      }
    }
  }
  inPlace(s, value, path, issues, ev, apply);
  if (Array.isArray(value) && isSchema(s.unevaluatedItems)) {
    for (let i = ev.items; i < value.length; i++) {
      if (ev.marked?.has(i) !== true) apply(s.unevaluatedItems, value[i], `${path}/${i}`, issues);
    }
    ev.items = value.length;
  }
  if (obj !== undefined && isSchema(s.unevaluatedProperties)) {
    for (const [key, child] of Object.entries(obj)) {
      if (ev.props.has(key)) continue;
      const childPath = `${path}/${escapePointer(key)}`;
      if (s.unevaluatedProperties === false) issues.push({ path: childPath, message: "Unknown property" });
      else apply(s.unevaluatedProperties, child, childPath, issues);
      ev.props.add(key);
    }
  }
  return ev;
}

/** `allOf`, `anyOf`, `oneOf`, `not`, `if` / `then` / `else`. */
function inPlace(
  s: SchemaObject,
  value: unknown,
  path: string,
  issues: SchemaIssue[],
  ev: Evaluated,
  apply: Apply,
): void {
  /** Applies `sub` on the side; merges what it evaluated when it passes and says whether it did. */
  const passes = (sub: unknown): boolean => {
    if (!isSchema(sub)) return true;
    const local: SchemaIssue[] = [];
    const subEv = apply(sub, value, path, local);
    if (local.length === 0) merge(ev, subEv);
    return local.length === 0;
  };
  if (Array.isArray(s.allOf)) {
    for (const sub of s.allOf) if (isSchema(sub)) merge(ev, apply(sub, value, path, issues));
  }
  // every branch is applied (no short cut): `unevaluated*` needs what each passing branch evaluated
  if (Array.isArray(s.anyOf) && s.anyOf.map(passes).filter(Boolean).length === 0) {
    issues.push({ path, message: "Expected the value to match at least one allowed schema" });
  }
  if (Array.isArray(s.oneOf)) {
    const passing = s.oneOf.map(passes).filter(Boolean).length;
    if (passing !== 1) {
      const found = passing === 0 ? "none does" : `${passing} do`;
      issues.push({ path, message: `Expected the value to match exactly one allowed schema (${found})` });
    }
  }
  if (isSchema(s.not)) {
    const local: SchemaIssue[] = [];
    apply(s.not, value, path, local);
    if (local.length === 0) issues.push({ path, message: "The value matches a schema it must not match" });
  }
  if (isSchema(s.if)) {
    const branch = passes(s.if) ? s.then : s.else;
    if (isSchema(branch)) merge(ev, apply(branch, value, path, issues));
  }
}

/** Validates `value` against a plain JSON Schema; an empty array means valid. */
export function validateJsonSchema(schema: Record<string, unknown> | boolean, value: unknown): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const index = refIndex(isObject(schema) ? schema : {});
  if (index.problem !== undefined) return [{ path: "", message: `Invalid schema: ${index.problem}` }];
  const work: Work = { left: MAX_STEPS };
  check(schema, value, "", index, { base: index.rootBase, up: undefined }, 0, issues, work);
  if (work.left < 0) {
    return [
      { path: "", message: `The value is too costly to check against this schema (over ${MAX_STEPS} steps)` },
    ];
  }
  return issues;
}
