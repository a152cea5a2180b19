/**
 * `readOnly` properties at every depth of a request body, left out of what is sent. `readOnly`
 * means "sent by the server only" (OpenAPI 3.x, JSON Schema), and the input schema hides such
 * properties but allows unlisted ones, so a client could still give `owner.id` or
 * `members[].role`. A plan, built once per body schema at conversion, says where they are: the
 * names to drop in an object, and the plans of its properties' values, of its other properties'
 * values (`additionalProperties`), of array items (`items`, `prefixItems`), and of `allOf`/`anyOf`/
 * `oneOf` branches (a name `readOnly` in any branch is dropped). Parts of a schema with no
 * `readOnly` below them get no plan, so most bodies cost nothing at call time. A cyclic schema
 * makes a cyclic plan; the walk over a value is bounded by the value's own depth.
 */
import type { LoadedDocument } from "./document.ts";
import type { SchemaConverter } from "./schema.ts";
import { isObject } from "./util.ts";

/** Where a value's `readOnly` parts are. */
export interface ReadOnlyPlan {
  /** Property names never sent. */
  readonly drop: Set<string>;
  /** The plans of named properties' values (those with `readOnly` parts only). */
  readonly properties: Map<string, ReadOnlyPlan>;
  /** The plan of the values of properties the schema does not name (`additionalProperties`). */
  others: { readonly plan: ReadOnlyPlan; readonly named: ReadonlySet<string> } | undefined;
  /** The plan of array items past `prefixItems` (`items`). */
  items: ReadOnlyPlan | undefined;
  /** The plans of the first array items (`prefixItems`; a 3.0 tuple `items`). */
  readonly prefixItems: (ReadOnlyPlan | undefined)[];
  /** Plans of the same value: its `allOf`, `anyOf` and `oneOf` branches. */
  readonly branches: ReadOnlyPlan[];
}

/** How many `$ref`s in a row are followed. */
const MAX_HOPS = 32;
/**
 * How deep a value is walked while a plan still applies; deeper, the request is refused rather
 * than sent with parts that may be `readOnly` (JSON-RPC values this deep are not real bodies).
 */
const MAX_DEPTH = 128;

/** Builds the plans of one document's schemas (each schema once, shared by every operation). */
export class ReadOnlyPlanner {
  readonly #doc: LoadedDocument;
  readonly #converter: SchemaConverter;
  /** A schema's plan; `null`: nothing in it is `readOnly`. */
  readonly #plans = new WeakMap<object, ReadOnlyPlan | null>();

  constructor(doc: LoadedDocument, converter: SchemaConverter) {
    this.#doc = doc;
    this.#converter = converter;
  }

  /** The plan of a request body's schema, or `undefined` when nothing in it is `readOnly`. */
  plan(schema: unknown): ReadOnlyPlan | undefined {
    let node = schema;
    for (let hops = 0; hops < MAX_HOPS && isObject(node) && typeof node.$ref === "string"; hops += 1) {
      node = this.#doc.resolve(node.$ref);
    }
    if (!isObject(node)) return undefined;
    const known = this.#plans.get(node);
    if (known !== undefined) return known ?? undefined;
    const plan: ReadOnlyPlan = {
      drop: new Set(),
      properties: new Map(),
      others: undefined,
      items: undefined,
      prefixItems: [],
      branches: [],
    };
    // Set before the parts are planned: a cycle back to this schema gets this (filling) plan.
    this.#plans.set(node, plan);
    const properties = isObject(node.properties) ? node.properties : {};
    for (const [name, property] of Object.entries(properties)) {
      if (this.#converter.flagged(property, "readOnly")) plan.drop.add(name);
      else this.#put(plan.properties, name, property);
    }
    const others = isObject(node.additionalProperties) ? this.plan(node.additionalProperties) : undefined;
    if (others !== undefined) plan.others = { plan: others, named: new Set(Object.keys(properties)) };
    const tuple = Array.isArray(node.prefixItems) ? node.prefixItems : node.items;
    if (Array.isArray(tuple)) plan.prefixItems.push(...tuple.map((item) => this.plan(item)));
    if (isObject(node.items)) plan.items = this.plan(node.items);
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      const branches = node[key];
      if (!Array.isArray(branches)) continue;
      for (const branch of branches) {
        const branchPlan = this.plan(branch);
        if (branchPlan !== undefined && branchPlan !== plan) plan.branches.push(branchPlan);
      }
    }
    if (isEmpty(plan)) {
      this.#plans.set(node, null);
      return undefined;
    }
    return plan;
  }

  #put(map: Map<string, ReadOnlyPlan>, name: string, schema: unknown): void {
    const plan = this.plan(schema);
    if (plan !== undefined) map.set(name, plan);
  }
}

function isEmpty(plan: ReadOnlyPlan): boolean {
  return (
    plan.drop.size === 0 &&
    plan.properties.size === 0 &&
    plan.others === undefined &&
    plan.items === undefined &&
    plan.prefixItems.every((p) => p === undefined) &&
    plan.branches.length === 0
  );
}

/** The plans and, transitively, their branches: every plan that applies to one value. */
function applying(plans: readonly ReadOnlyPlan[]): ReadOnlyPlan[] {
  const seen = new Set<ReadOnlyPlan>();
  const stack = [...plans];
  for (let plan = stack.pop(); plan !== undefined; plan = stack.pop()) {
    if (seen.has(plan)) continue;
    seen.add(plan);
    stack.push(...plan.branches);
  }
  return [...seen];
}

/** An own, enumerable data property, even for a name like `__proto__`. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function strip(value: unknown, plans: readonly ReadOnlyPlan[], depth: number): unknown {
  if (plans.length === 0 || typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) {
    throw new TypeError(
      `the request body is nested deeper than ${MAX_DEPTH} levels, too deep to leave its readOnly properties out`,
    );
  }
  const all = applying(plans);
  if (Array.isArray(value)) {
    return value.map((item, i) =>
      strip(
        item,
        all.flatMap((p) => {
          const own = i < p.prefixItems.length ? p.prefixItems[i] : p.items;
          return own === undefined ? [] : [own];
        }),
        depth + 1,
      ),
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (all.some((p) => p.drop.has(key))) continue;
    const below = all.flatMap((p) => {
      const own = p.properties.get(key);
      if (own !== undefined) return [own];
      return p.others !== undefined && !p.others.named.has(key) ? [p.others.plan] : [];
    });
    setOwn(out, key, strip(v, below, depth + 1));
  }
  return out;
}

/**
 * `value` without the parts `plan` marks `readOnly` (a copy; `value` is not changed). Throws a
 * `TypeError` (the arguments cannot be sent) for a value nested too deep to check.
 */
export function withoutReadOnly(value: unknown, plan: ReadOnlyPlan): unknown {
  return strip(value, [plan], 0);
}
