import { toJsonText } from "@portico/core";
import type { Bus, JsonValue, Subscription } from "@portico/core";
import type { DynamoDbClient } from "./client.ts";
import { key, randomHex, S, ttlAttribute } from "./_items.ts";
import { TIME_WIDTH, TopicPoller } from "./_topic-poller.ts";
import type { Subscriber } from "./_topic-poller.ts";

/** Options for {@link DynamoDbBus}. */
export interface DynamoDbBusOptions {
  tableName: string;
  /** Prepended to every partition key. Default `""`. */
  keyPrefix?: string;
  /** Delay between two polls of a subscribed topic. Default 200 ms. */
  pollMs?: number;
  /**
   * How far back each poll looks, so a message whose write became visible late (slow or retried
   * publish, clock skew between instances) is still delivered. Default 2000 ms.
   */
  lookbackMs?: number;
  /** How long a message item is kept. Default `lookbackMs` + 60 s. */
  messageTtlMs?: number;
  /** Called when a subscriber throws or a poll fails; delivery goes on either way. */
  onError?: (error: unknown, topic: string) => void;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * {@link Bus} on DynamoDB, which has no pub/sub: `publish` writes one item to the topic's
 * partition (`<prefix>b#<topic>`) under a time-ordered, unique sort key
 * (`<epoch ms, 13 digits> <instance id> <counter>`) with a short TTL; each subscribed topic has one
 * poller per bus instance that queries for new sort keys every `pollMs` and hands messages to the
 * topic's subscribers in sort-key order. Messages of one publisher therefore arrive in publish
 * order. `subscribe` resolves after the poller's first Query, so anything published after it
 * resolves is delivered. Delivery is best effort and at most once per subscriber, as the
 * {@link Bus} contract allows. Call {@link DynamoDbBus.close} to stop every poller at once.
 */
export class DynamoDbBus implements Bus {
  readonly #client: DynamoDbClient;
  readonly #tableName: string;
  readonly #keyPrefix: string;
  readonly #pollMs: number;
  readonly #lookbackMs: number;
  readonly #messageTtlMs: number;
  readonly #onError: DynamoDbBusOptions["onError"];
  readonly #now: () => number;
  readonly #pollers = new Map<string, TopicPoller>();
  readonly #instance = randomHex(6);
  #lastTime = 0;
  #counter = 0;

  constructor(client: DynamoDbClient, options: DynamoDbBusOptions) {
    this.#client = client;
    this.#tableName = options.tableName;
    this.#keyPrefix = options.keyPrefix ?? "";
    this.#pollMs = options.pollMs ?? 200;
    this.#lookbackMs = options.lookbackMs ?? 2_000;
    this.#messageTtlMs = options.messageTtlMs ?? this.#lookbackMs + 60_000;
    this.#onError = options.onError;
    this.#now = options.now ?? Date.now;
    if (!(this.#pollMs > 0)) throw new RangeError(`pollMs must be positive, got ${this.#pollMs}`);
    if (!(this.#lookbackMs >= 0)) throw new RangeError(`lookbackMs must be >= 0, got ${this.#lookbackMs}`);
  }

  async publish(topic: string, message: JsonValue): Promise<void> {
    const text = toJsonText(message, "a bus message");
    const now = this.#now();
    await this.#client.send("PutItem", {
      TableName: this.#tableName,
      Item: {
        ...key(this.#pk(topic), this.#nextSortKey(now)),
        msg: S(text),
        ...ttlAttribute(now + this.#messageTtlMs),
      },
    });
  }

  async subscribe(topic: string, onMessage: (message: JsonValue) => void): Promise<Subscription> {
    let poller = this.#pollers.get(topic);
    if (!poller) {
      poller = new TopicPoller(
        {
          client: this.#client,
          tableName: this.#tableName,
          pollMs: this.#pollMs,
          lookbackMs: this.#lookbackMs,
          now: this.#now,
          onError: (error) => this.#report(error, topic),
        },
        this.#pk(topic),
      );
      this.#pollers.set(topic, poller);
    }
    const subscriber: Subscriber = { onMessage, active: true };
    poller.add(subscriber);
    const unsubscribe = async () => {
      if (!subscriber.active) return;
      subscriber.active = false;
      poller.remove(subscriber);
      if (poller.size > 0) return;
      poller.stop();
      if (this.#pollers.get(topic) === poller) this.#pollers.delete(topic);
    };
    try {
      await poller.ready;
    } catch (error) {
      await unsubscribe();
      // A poller that never started must not serve later subscribers.
      if (this.#pollers.get(topic) === poller) {
        poller.stop();
        this.#pollers.delete(topic);
      }
      throw error;
    }
    return { unsubscribe };
  }

  /** Stops every poller; existing subscriptions receive nothing more. Publishing still works. */
  async close(): Promise<void> {
    for (const poller of this.#pollers.values()) poller.stop();
    this.#pollers.clear();
  }

  #pk(topic: string): string {
    return `${this.#keyPrefix}b#${topic}`;
  }

  /** Increasing within this instance even when the clock stands still or steps back. */
  #nextSortKey(now: number): string {
    this.#lastTime = Math.max(this.#lastTime, Math.floor(now));
    this.#counter += 1;
    const time = String(this.#lastTime).padStart(TIME_WIDTH, "0");
    return `${time} ${this.#instance} ${String(this.#counter).padStart(12, "0")}`;
  }

  #report(error: unknown, topic: string): void {
    try {
      this.#onError?.(error, topic);
    } catch {
      // An error handler that throws must not stop the poller or the other subscribers.
    }
  }
}
