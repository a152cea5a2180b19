/** A set of pending promises that can be awaited as a whole, including ones added while waiting. */
export interface PromiseTracker {
  /** Tracks `promise` until it settles; a rejection is swallowed (report it before tracking). */
  add(promise: PromiseLike<unknown>): void;
  /** How many tracked promises are still pending. */
  readonly size: number;
  /** Resolves when nothing is pending any more. */
  settled(): Promise<void>;
}

export function createTracker(): PromiseTracker {
  const pending = new Set<Promise<void>>();
  return {
    add(promise) {
      const tracked: Promise<void> = Promise.resolve(promise).then(
        () => {
          pending.delete(tracked);
        },
        () => {
          pending.delete(tracked);
        },
      );
      pending.add(tracked);
    },
    get size() {
      return pending.size;
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}
