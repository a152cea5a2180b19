import type { JsonValue } from "@portico/core";
import type { DynamoDbClient } from "./client.ts";
import { names, S, str, ttlExpired } from "./_items.ts";
import { queryAll } from "./_query.ts";
import { SORT_KEY } from "./table.ts";

export interface Subscriber {
  onMessage: (message: JsonValue) => void;
  active: boolean;
}

export interface PollerSettings {
  client: DynamoDbClient;
  tableName: string;
  pollMs: number;
  lookbackMs: number;
  now: () => number;
  onError: (error: unknown) => void;
}

/** Width of the millisecond timestamp that starts every bus sort key. */
export const TIME_WIDTH = 13;
/** Poll delay grows up to this factor while polls keep failing. */
const MAX_BACKOFF_FACTOR = 16;

/**
 * One polling loop for one topic, shared by every subscriber of that topic in a bus instance.
 *
 * Each poll is a strongly consistent Query for the sort keys newer than `now − lookback`. A
 * message is delivered the first time its sort key shows up; the keys seen stay remembered while
 * they are inside the window. Re-reading the window catches a message whose write became visible
 * after a newer one (concurrent publishers, a retried publish, clock skew up to `lookbackMs`).
 * The first Query only records what is already there: what it sees was published before the
 * subscription started and is never delivered.
 */
export class TopicPoller {
  readonly #settings: PollerSettings;
  readonly #pk: string;
  readonly #subscribers = new Set<Subscriber>();
  /** Sort keys already handled, with their timestamp (for pruning). */
  readonly #seen = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #failures = 0;
  /** Settles after the first Query: from then on, new messages are delivered. */
  readonly ready: Promise<void>;

  constructor(settings: PollerSettings, pk: string) {
    this.#settings = settings;
    this.#pk = pk;
    this.ready = this.#poll(false).then(() => this.#schedule());
    // Subscribers observe a failed start through `ready`; keep it from being an unhandled rejection.
    this.ready.catch(() => {});
  }

  get size(): number {
    return this.#subscribers.size;
  }

  add(subscriber: Subscriber): void {
    this.#subscribers.add(subscriber);
  }

  remove(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const subscriber of this.#subscribers) subscriber.active = false;
    this.#subscribers.clear();
  }

  #schedule(): void {
    if (this.#stopped) return;
    const factor = Math.min(MAX_BACKOFF_FACTOR, 2 ** this.#failures);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#poll(true)
        .then(() => {
          this.#failures = 0;
        })
        .catch((error: unknown) => {
          this.#failures += 1;
          if (!this.#stopped) this.#settings.onError(error);
        })
        .finally(() => this.#schedule());
    }, this.#settings.pollMs * factor);
  }

  async #poll(deliver: boolean): Promise<void> {
    const now = this.#settings.now();
    const floor = now - this.#settings.lookbackMs;
    const items = await queryAll(this.#settings.client, {
      TableName: this.#settings.tableName,
      KeyConditionExpression: "#pk = :pk AND #sk > :floor",
      ExpressionAttributeNames: names("pk", "sk"),
      ExpressionAttributeValues: {
        ":pk": S(this.#pk),
        ":floor": S(String(Math.max(0, floor)).padStart(TIME_WIDTH, "0")),
      },
      ConsistentRead: true,
    });
    for (const [sk, time] of this.#seen) if (time <= floor) this.#seen.delete(sk);
    for (const item of items) {
      if (this.#stopped) return;
      const sk = str(item, SORT_KEY);
      if (sk === undefined || this.#seen.has(sk)) continue;
      this.#seen.set(sk, Number(sk.slice(0, TIME_WIDTH)));
      if (!deliver || ttlExpired(item, now)) continue;
      const text = str(item, "msg");
      if (text !== undefined) this.#deliver(text);
    }
  }

  /** Every active subscriber gets its own parse of the message; one that throws harms no other. */
  #deliver(text: string): void {
    for (const subscriber of [...this.#subscribers]) {
      if (!subscriber.active) continue;
      try {
        subscriber.onMessage(JSON.parse(text) as JsonValue);
      } catch (error) {
        this.#settings.onError(error);
      }
    }
  }
}
