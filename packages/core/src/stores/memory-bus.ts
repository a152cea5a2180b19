import type { Bus, JsonValue, Subscription } from "./types.ts";

/** Options for {@link MemoryBus}. */
export interface MemoryBusOptions {
  /**
   * Called when a subscriber throws. The error never reaches the publisher or the other
   * subscribers; without this option it is dropped.
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
  readonly #onError: ((error: unknown, topic: string) => void) | undefined;

  constructor(options: MemoryBusOptions = {}) {
    this.#onError = options.onError;
  }

  async publish(topic: string, message: JsonValue): Promise<void> {
    const subscribers = this.#topics.get(topic);
    if (!subscribers || subscribers.size === 0) return;
    const deliveries = [...subscribers].map((subscriber) => ({ subscriber, copy: structuredClone(message) }));
    queueMicrotask(() => {
      for (const { subscriber, copy } of deliveries) {
        if (!subscriber.active) continue;
        try {
          subscriber.onMessage(copy);
        } catch (error) {
          this.#report(error, topic);
        }
      }
    });
  }

  async subscribe(topic: string, onMessage: (message: JsonValue) => void): Promise<Subscription> {
    const subscriber: Subscriber = { onMessage, active: true };
    let subscribers = this.#topics.get(topic);
    if (!subscribers) {
      subscribers = new Set();
      this.#topics.set(topic, subscribers);
    }
    subscribers.add(subscriber);
    return {
      unsubscribe: async () => {
        if (!subscriber.active) return;
        subscriber.active = false;
        const current = this.#topics.get(topic);
        if (!current) return;
        current.delete(subscriber);
        if (current.size === 0) this.#topics.delete(topic);
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
