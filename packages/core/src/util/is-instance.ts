/**
 * `value instanceof type`, but never throws: a thrown value can be anything, a Proxy whose
 * `getPrototypeOf` trap throws included, and looking at it must not replace it with the trap's own
 * error (which would then be what `onError` hears, or escape where nothing catches it). A value that
 * cannot be looked at is not an instance.
 */
export function isInstance<T>(value: unknown, type: abstract new (...args: never[]) => T): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
