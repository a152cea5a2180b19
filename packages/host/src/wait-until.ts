/**
 * `ctx.waitUntil` as every adapter gives it: the promise is guarded (a rejection goes to `onError`,
 * never becomes an unhandled rejection) before the host's own `waitUntil`, if any, keeps the
 * invocation alive for it.
 */
export function guardedWaitUntil(
  host: ((promise: Promise<unknown>) => void) | undefined,
  onError: (error: unknown) => void,
): (promise: Promise<unknown>) => void {
  return (promise) => {
    const guarded = Promise.resolve(promise).catch((error: unknown) => {
      try {
        onError(error);
      } catch {
        // A reporter that throws must not turn the rejection into an unhandled one after all.
      }
    });
    host?.(guarded);
  };
}
