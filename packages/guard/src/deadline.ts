/**
 * The deadlines of what a guard waits for outside the handler's stores: a store given as a
 * guard's own `store` option gets the handler's `storeTimeoutMs` (as `stores` do: a call that does
 * not answer fails as unavailable, 503 + `Retry-After`), and an audit sink is waited for that long.
 */
import { type McpCall, storeTimeoutOf } from "@portico/core";

/** The wait when the handler's `storeTimeoutMs` cannot be known (the handler's own default). */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

/** The handler's `storeTimeoutMs` (0: none), or {@link DEFAULT_STORE_TIMEOUT_MS} when it cannot be known. */
export function storeTimeout(call: McpCall): number {
  return storeTimeoutOf(call.stores) ?? DEFAULT_STORE_TIMEOUT_MS;
}

/**
 * `given` with the deadline of the handler of each call, as `timed(given, ms)` makes it: made again
 * only when that deadline changes (one middleware serving handlers with different ones).
 */
export function withStoreDeadline<S>(given: S, timed: (store: S, ms: number) => S): (call: McpCall) => S {
  let ms: number | undefined;
  let store = given;
  return (call) => {
    const wanted = storeTimeout(call);
    if (wanted !== ms) {
      ms = wanted;
      store = timed(given, wanted);
    }
    return store;
  };
}
