/** Promises still pending (`waitUntil` work), awaited as a whole, including ones added while waiting. */
export interface PendingSet {
  /** Tracks `promise` until it settles; a rejection is swallowed (it was reported when guarded). */
  add(promise: PromiseLike<unknown>): void;
  /** Resolves when nothing is pending any more. */
  settled(): Promise<void>;
}

export function pendingSet(): PendingSet {
  let size = 0;
  let waiters: Array<() => void> = [];
  const done = (): void => {
    size--;
    if (size === 0) {
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
    settled() {
      return size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
