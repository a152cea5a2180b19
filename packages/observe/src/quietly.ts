/**
 * What a user callback returned, made harmless: sinks, hooks, writers and instruments are typed as
 * returning nothing, but an async one returns a promise, and when it rejects nobody would handle
 * it (an unhandled rejection ends a Node process). Its rejection is dropped, as a throw is.
 */

const ignore = () => {};

/** Drops the rejection of `returned` when it is a promise (a thenable); nothing else is touched. */
export function quietly(returned: unknown): void {
  // The common case, a synchronous callback: no allocation, no try.
  if (returned === undefined || returned === null) return;
  try {
    if (typeof (returned as { then?: unknown }).then === "function") Promise.resolve(returned).catch(ignore);
  } catch {
    // A value whose `then` cannot even be read: there is no rejection to handle.
  }
}
