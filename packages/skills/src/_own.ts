/** Objects keyed by skill paths and file names, which may be `constructor` or `__proto__`. */

/**
 * Sets `key` as an own enumerable property of `record`: defined, not assigned, so `__proto__` is a
 * member like any other (an assignment would set the prototype).
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An empty record with no prototype: no key (`constructor`, `__proto__`) is found there unless set. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
