import type { JsonValue } from "./types.ts";

/**
 * The JSON text of `value` for a durable store, refusing what `JSON.stringify` would silently change:
 * non-finite numbers, a top-level `undefined`, and objects that are not plain (Map, Date, class
 * instances). `what` names the value in the TypeError ("a session value").
 */
export function toJsonText(value: JsonValue, what: string): string {
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === "number" && !Number.isFinite(item)) {
      throw new TypeError(`${what} must be JSON: non-finite number ${item}`);
    }
    if (typeof item === "object" && item !== null && !Array.isArray(item)) {
      const proto: unknown = Object.getPrototypeOf(item);
      if (proto !== null && proto !== Object.prototype) {
        const name = (item as { constructor?: { name?: string } }).constructor?.name;
        throw new TypeError(`${what} must be JSON, not a ${name ?? "non-plain object"}`);
      }
    }
    return item;
  });
  if (typeof text !== "string") throw new TypeError(`${what} must be JSON, got ${typeof value}`);
  return text;
}
