/** Small helpers for the untyped JSON objects the upstream sends (shared by the client and the proxy). */

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `value` if it is a JSON object, else an empty one. */
export function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** `value` without its `undefined` members (for exact optional property types). */
export function defined<T extends Json>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
