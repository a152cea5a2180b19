/**
 * Keywords of core's JSON Schema validator that apply to the members of an object or an array,
 * each recording what it evaluated for `unevaluatedProperties` / `unevaluatedItems`.
 */
import { canonicalJson } from "../util/encoding.ts";
import {
  type Apply,
  type Evaluated,
  escapePointer,
  isObject,
  isSchema,
  own,
  patternTest,
  type Schema,
  type SchemaIssue,
  type SchemaObject,
} from "./_util.ts";

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `required`, `dependentRequired`, `minProperties`, `maxProperties`. */
export function checkObjectShape(
  s: SchemaObject,
  obj: SchemaObject,
  path: string,
  issues: SchemaIssue[],
): void {
  if (Array.isArray(s.required)) {
    for (const key of s.required) {
      if (typeof key === "string" && !Object.hasOwn(obj, key)) {
        issues.push({ path: `${path}/${escapePointer(key)}`, message: "Required property is missing" });
      }
    }
  }
  if (isObject(s.dependentRequired)) {
    for (const [trigger, deps] of Object.entries(s.dependentRequired)) {
      if (!Object.hasOwn(obj, trigger) || !Array.isArray(deps)) continue;
      for (const dep of deps) {
        if (typeof dep === "string" && !Object.hasOwn(obj, dep)) {
          issues.push({
            path: `${path}/${escapePointer(dep)}`,
            message: `Expected this property because ${JSON.stringify(trigger)} is present`,
          });
        }
      }
    }
  }
  if (typeof s.minProperties === "number" || typeof s.maxProperties === "number") {
    const size = Object.keys(obj).length;
    if (typeof s.minProperties === "number" && size < s.minProperties) {
      issues.push({ path, message: `Expected at least ${count(s.minProperties, "property", "properties")}` });
    }
    if (typeof s.maxProperties === "number" && size > s.maxProperties) {
      issues.push({ path, message: `Expected at most ${count(s.maxProperties, "property", "properties")}` });
    }
  }
}

/** `properties`, `patternProperties`, `additionalProperties`, `propertyNames`. */
export function applyProperties(
  s: SchemaObject,
  obj: SchemaObject,
  path: string,
  issues: SchemaIssue[],
  ev: Evaluated,
  apply: Apply,
): void {
  const props = isObject(s.properties) ? s.properties : undefined;
  const patterns = isObject(s.patternProperties) ? Object.entries(s.patternProperties) : [];
  const additional = isSchema(s.additionalProperties) ? s.additionalProperties : undefined;
  const names = isSchema(s.propertyNames) ? s.propertyNames : undefined;
  for (const [key, child] of Object.entries(obj)) {
    const childPath = `${path}/${escapePointer(key)}`;
    if (names !== undefined) {
      const local: SchemaIssue[] = [];
      apply(names, key, childPath, local);
      if (local.length > 0) {
        const why = local[0]?.message ?? "";
        issues.push({ path: childPath, message: `Expected a valid property name: ${why}` });
      }
    }
    let matched = false;
    const propSchema = props === undefined ? undefined : own(props, key);
    if (isSchema(propSchema)) {
      matched = true;
      apply(propSchema, child, childPath, issues);
    }
    for (const [pattern, patternSchema] of patterns) {
      if (isSchema(patternSchema) && patternTest(pattern, key) === true) {
        matched = true;
        apply(patternSchema, child, childPath, issues);
      }
    }
    if (matched) ev.props.add(key);
    else if (additional !== undefined) {
      ev.props.add(key);
      if (additional === false) issues.push({ path: childPath, message: "Unknown property" });
      else apply(additional, child, childPath, issues);
    }
  }
}

/**
 * `prefixItems`, `items`, `contains` (with `minContains` / `maxContains`), `minItems`, `maxItems`
 * (`uniqueItems`: {@link checkUniqueItems}).
 */
export function applyItems(
  s: SchemaObject,
  arr: unknown[],
  path: string,
  issues: SchemaIssue[],
  ev: Evaluated,
  apply: Apply,
): void {
  const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as unknown[]) : [];
  const items = isSchema(s.items) ? s.items : undefined;
  arr.forEach((item, i) => {
    const itemSchema = i < prefix.length ? prefix[i] : items;
    if (isSchema(itemSchema)) apply(itemSchema, item, `${path}/${i}`, issues);
  });
  ev.items = Math.max(ev.items, items !== undefined ? arr.length : Math.min(prefix.length, arr.length));
  if (isSchema(s.contains)) {
    const matches = containsMatches(s.contains, arr, path, apply);
    ev.marked ??= new Set();
    for (const i of matches) ev.marked.add(i);
    const min = typeof s.minContains === "number" ? s.minContains : 1;
    if (matches.size < min) {
      issues.push({ path, message: `Expected at least ${count(min, "item", "items")} matching "contains"` });
    }
    if (typeof s.maxContains === "number" && matches.size > s.maxContains) {
      const most = count(s.maxContains, "item", "items");
      issues.push({ path, message: `Expected at most ${most} matching "contains"` });
    }
  }
  if (typeof s.minItems === "number" && arr.length < s.minItems) {
    issues.push({ path, message: `Expected at least ${count(s.minItems, "item", "items")}` });
  }
  if (typeof s.maxItems === "number" && arr.length > s.maxItems) {
    issues.push({ path, message: `Expected at most ${count(s.maxItems, "item", "items")}` });
  }
}

/**
 * `uniqueItems`: each item's canonical text, compared. That text costs what the item holds, and a
 * nested `uniqueItems` writes its items again: `spend` is charged a step per 16 characters, so the
 * validation's budget bounds it as it bounds subschema applications.
 */
export function checkUniqueItems(
  arr: unknown[],
  path: string,
  issues: SchemaIssue[],
  spend: (steps: number) => boolean,
): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < arr.length; i++) {
    const key = canonicalJson(arr[i]);
    if (!spend(Math.ceil(key.length / 16))) return;
    const first = seen.get(key);
    if (first !== undefined) {
      issues.push({ path, message: `Expected unique items, but items ${first} and ${i} are equal` });
      return;
    }
    seen.set(key, i);
  }
}

/** Indexes of the items that `contains` accepts. */
function containsMatches(contains: Schema, arr: unknown[], path: string, apply: Apply): Set<number> {
  const matches = new Set<number>();
  arr.forEach((item, i) => {
    const local: SchemaIssue[] = [];
    apply(contains, item, `${path}/${i}`, local);
    if (local.length === 0) matches.add(i);
  });
  return matches;
}
