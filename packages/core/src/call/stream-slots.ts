/**
 * Open long-lived streams per legacy session on this instance (GET streams and resumed ones),
 * bounded: each holds a response body, bus subscriptions and timers, so a client cannot make one
 * instance hold an unbounded number of them.
 */
import type { Subscription } from "../stores/types.ts";

export class StreamSlots {
  readonly limit: number;
  readonly #open = new Map<string, number>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** A slot for one more stream of `session`, released (once) by `unsubscribe`; `undefined` when full. */
  take(session: string): Subscription | undefined {
    const open = this.#open.get(session) ?? 0;
    if (open >= this.limit) return undefined;
    this.#open.set(session, open + 1);
    let held = true;
    return {
      unsubscribe: async () => {
        if (!held) return;
        held = false;
        const left = (this.#open.get(session) ?? 1) - 1;
        if (left <= 0) this.#open.delete(session);
        else this.#open.set(session, left);
      },
    };
  }
}
