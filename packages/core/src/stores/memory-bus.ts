import { storeKeyText } from "./keys.ts";
import type { Bus, JsonValue, StoreKey, Subscription } from "./types.ts";

/** Options for {@link MemoryBus}. */
export interface MemoryBusOptions {
  /**
   * Called when a subscriber throws, with the topic's `storeKeyText` (as every other bus reports
   * it). The error never reaches the publisher or the other subscribers; without this option it is
   * dropped.
   */
  onError?: (error: unknown, topic: string) => void;
}

interface Subscriber {
  onMessage: (message: JsonValue) => void;
  active: boolean;
}

/**
 * {@link Bus} within one process. Delivery is asynchronous (a microtask per publish), so a
 * publisher never runs subscriber code; messages to one topic arrive in publish order; every
 * subscriber gets its own `structuredClone` of the message, taken when it is published.
 * A subscriber removed before delivery no longer receives messages already published.
 */
export class MemoryBus implements Bus {
  readonly #topics = new Map<string, Set<Subscriber>>();
  readonly #onError: MemoryBusOptions["onError"];

  constructor(options: MemoryBusOptions = {}) {
    this.#onError = options.onError;
  }

  async publish(topic: StoreKey, message: JsonValue): Promise<void> {
    const name = storeKeyText(topic);
    const subscribers = this.#topics.get(name);
    if (!subscribers || subscribers.size === 0) return;
    const deliveries = [...subscribers].map((subscriber) => ({ subscriber, copy: structuredClone(message) }));
    queueMicrotask(() => {
      for (const { subscriber, copy } of deliveries) {
        if (!subscriber.active) continue;
        try {
          subscriber.onMessage(copy);
        } catch (error) {
          this.#report(error, name);
        }
      }
    });
  }

  async subscribe(topic: StoreKey, onMessage: (message: JsonValue) => void): Promise<Subscription> {
    const name = storeKeyText(topic);
    const subscriber: Subscriber = { onMessage, active: true };
    let subscribers = this.#topics.get(name);
    if (!subscribers) {
      subscribers = new Set();
      this.#topics.set(name, subscribers);
    }
    subscribers.add(subscriber);
    return {
      unsubscribe: async () => {
        if (!subscriber.active) return;
        subscriber.active = false;
        const current = this.#topics.get(name);
        if (!current) return;
        current.delete(subscriber);
        if (current.size === 0) this.#topics.delete(name);
      },
    };
  }

  #report(error: unknown, topic: string): void {
    if (!this.#onError) return;
    try {
      this.#onError(error, topic);
    } catch {
      // An error handler that throws must not break delivery to the remaining subscribers.
    }
  }
}
