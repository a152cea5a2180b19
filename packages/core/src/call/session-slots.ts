/**
 * Bounded counts per legacy session on this instance: open long-lived streams (GET streams and
 * resumed ones) and server→client requests awaiting a reply. Each holds a response body or a
 * reply mailbox, bus subscriptions and timers, so a client cannot make one instance hold an
 * unbounded number of them.
 */
import type { Subscription } from "../stores/types.ts";

export class SessionSlots {
  readonly limit: number;
  readonly #open = new Map<string, number>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** One more slot of `session`, released (once) by `unsubscribe`; `undefined` when full. */
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
