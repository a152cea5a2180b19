/**
 * A set of pending promises that can be awaited as a whole, including ones added while waiting:
 * what a server adapter tracks (in-flight responses, `ctx.waitUntil` work) to shut down gracefully.
 */
export interface PromiseTracker {
  /** Tracks `promise` until it settles; a rejection is swallowed (report it before tracking). */
  add(promise: PromiseLike<unknown>): void;
  /** How many tracked promises are still pending. */
  readonly size: number;
  /**
   * Resolves `true` when nothing is pending any more (also work added while waiting), or `false`
   * at `by` (epoch ms), if given, when that comes first.
   */
  settled(by?: number): Promise<boolean>;
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
    settled(by) {
      if (size === 0) return Promise.resolve(true);
      const all = new Promise<boolean>((resolve) => waiters.push(() => resolve(true)));
      if (by === undefined) return all;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, by - Date.now()), false);
      });
      return Promise.race([all, late]).finally(() => clearTimeout(timer));
    },
  };
}
