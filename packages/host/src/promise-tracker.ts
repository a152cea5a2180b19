import { MAX_TIMER_MS } from "./timer.ts";

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
   * at `by` (epoch ms), if given, when that comes first. A `by` further away than a timer can wait
   * (2^31−1 ms, about 24.8 days), or `Infinity`, waits for the work alone.
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
      const wait = Math.max(0, by - Date.now());
      // A longer delay (or `Infinity`) would fire after 1 ms and give up at once. A deadline that
      // far away is no deadline: no timer is armed, and the work alone is waited for.
      if (wait > MAX_TIMER_MS) return all;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, wait, false);
      });
      return Promise.race([all, late]).finally(() => clearTimeout(timer));
    },
  };
}
