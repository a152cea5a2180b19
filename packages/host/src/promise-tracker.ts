/**
 * A set of pending promises that can be awaited as a whole, including ones added while waiting:
 * what a server adapter tracks (in-flight responses, `ctx.waitUntil` work) to shut down gracefully.
 */
export interface PromiseTracker {
  /** Tracks `promise` until it settles; a rejection is swallowed (report it before tracking). */
  add(promise: PromiseLike<unknown>): void;
  /** How many tracked promises are still pending. */
  readonly size: number;
  /** Resolves when nothing is pending any more. */
  settled(): Promise<void>;
}

export function createTracker(): PromiseTracker {
  // A count and one waiter list instead of a promise set: `add` runs once per request.
  let size = 0;
  let waiters: Array<() => void> = [];
  const done = (): void => {
    size--;
    if (size === 0 && waiters.length > 0) {
      const wake = waiters;
      waiters = [];
      for (const resolve of wake) resolve();
    }
  };
  return {
    add(promise) {
      size++;
      promise.then(done, done);
    },
    get size() {
      return size;
    },
    settled() {
      if (size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
