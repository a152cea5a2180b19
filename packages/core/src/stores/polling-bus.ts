/**
 * The skeleton of a {@link Bus} for stores without pub/sub: every topic is a short log in the
 * store, `publish` appends to it, and each bus instance polls the logs of the topics it has
 * subscribers for. A store supplies only its log (a {@link TopicLog}: append, and read after a
 * cursor); this class does the rest — one shared read per topic however many subscribers, one
 * polling loop per bus for all its topics, delivery in log order, backoff while reads fail (for the
 * failing topic alone when the others read), and no polling at all once nothing is subscribed.
 */

import { MAX_TIMER_MS } from "../util/timer.ts";
import { toJsonText } from "./json-text.ts";
import { storeKeyText } from "./keys.ts";
import type { Bus, JsonValue, StoreKey, Subscription } from "./types.ts";

/** One topic a {@link TopicLog} is asked to read. */
export interface TopicLogRead<C> {
  readonly topic: StoreKey;
  /**
   * Where the previous read of this topic ended. `undefined` for the first read of a subscription:
   * it only finds where the log ends now (its `messages` are ignored: they were published before
   * the subscription started).
   */
  readonly cursor: C | undefined;
}

/** What a {@link TopicLog} answers for one topic: the messages after the cursor, or why it could not. */
export type TopicLogBatch<C> =
  | {
      /** The messages (JSON text, as appended) after the cursor, oldest first. */
      messages: string[];
      /** Where this read ended: the next read of the topic starts from here. */
      cursor: C;
      /** The read stopped at a size limit and more may be waiting: poll again at once. */
      more?: boolean;
    }
  | { error: unknown };

/** The two operations a store provides for a {@link PollingBus}; `C` is its cursor (a log position). */
export interface TopicLog<C> {
  /** Appends one message (JSON text) to the topic's log. */
  append(topic: StoreKey, text: string): Promise<void>;
  /**
   * Reads several topics' logs after their cursors, answering one batch per read, in order. A read
   * that fails for one topic answers `{ error }` there; a rejection fails the whole poll.
   */
  read(reads: readonly TopicLogRead<C>[]): Promise<TopicLogBatch<C>[]>;
}

/** Options for {@link PollingBus}. */
export interface PollingBusOptions {
  /** Delay between two polls while anything is subscribed. Default 200 ms. */
  pollMs?: number;
  /**
   * Called when a subscriber throws, a message is not JSON or a read fails; polling goes on either
   * way. `topic` is the topic's `storeKeyText`, or `"*"` when a read of several topics failed.
   */
  onError?: (error: unknown, topic: string) => void;
}

interface Subscriber {
  onMessage: (message: JsonValue) => void;
  active: boolean;
}

interface Topic<C> {
  key: StoreKey;
  name: string;
  subscribers: Set<Subscriber>;
  /** Where the last read ended; set once `ready` resolved (then `started`). */
  cursor: C | undefined;
  started: boolean;
  ready: Promise<void>;
  /** Reads of this topic alone that failed in a row, and polls it sits out before the next try. */
  failures: number;
  skip: number;
}

/** Poll delay grows up to this factor while polls keep failing. */
const MAX_BACKOFF_FACTOR = 16;

/**
 * {@link Bus} over a {@link TopicLog}. `subscribe` resolves once the topic's first read found where
 * its log ends, so everything published after it resolves is delivered; a first read that fails
 * rejects `subscribe`, and the next `subscribe` starts afresh. Each poll reads every started topic
 * in one {@link TopicLog.read} call and hands new messages to the topic's subscribers in log order
 * (each subscriber gets its own parse; one that throws harms no other). A topic whose read fails
 * while others read sits out 1, 3, 7, then 15 polls before its next try, so one bad topic does not
 * slow the others; when the whole poll fails (or every topic read in it), the delay doubles, up to 16×. Delivery is at most once, best effort. Timers are `unref`ed where the
 * runtime has that, so a waiting subscription never keeps a process alive; on Workers and Edge,
 * timers do not outlive the request: subscribe within one.
 */
export class PollingBus<C> implements Bus {
  readonly #log: TopicLog<C>;
  readonly #pollMs: number;
  readonly #onError: PollingBusOptions["onError"];
  readonly #topics = new Map<string, Topic<C>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polling = false;
  #failures = 0;

  constructor(log: TopicLog<C>, options: PollingBusOptions = {}) {
    this.#log = log;
    this.#pollMs = options.pollMs ?? 200;
    if (!(this.#pollMs > 0 && this.#pollMs <= MAX_TIMER_MS)) {
      throw new RangeError(
        `pollMs must be a number of ms above 0, at most ${MAX_TIMER_MS}, got ${this.#pollMs}`,
      );
    }
    this.#onError = options.onError;
  }

  async publish(topic: StoreKey, message: JsonValue): Promise<void> {
    await this.#log.append(topic, toJsonText(message, "a bus message"));
  }

  async subscribe(topic: StoreKey, onMessage: (message: JsonValue) => void): Promise<Subscription> {
    const name = storeKeyText(topic);
    const entry = this.#topics.get(name) ?? this.#open(topic, name);
    const subscriber: Subscriber = { onMessage, active: true };
    entry.subscribers.add(subscriber);
    const unsubscribe = async () => {
      if (!subscriber.active) return;
      subscriber.active = false;
      entry.subscribers.delete(subscriber);
      if (entry.subscribers.size === 0 && this.#topics.get(name) === entry) this.#topics.delete(name);
      if (this.#topics.size === 0) this.#stop();
    };
    try {
      await entry.ready;
    } catch (error) {
      await unsubscribe();
      // A topic that never started must not serve later subscribers.
      if (this.#topics.get(name) === entry) this.#topics.delete(name);
      throw error;
    }
    this.#schedule();
    return { unsubscribe };
  }

  /** Stops polling; existing subscriptions receive nothing more. Publishing (and subscribing again) still works. */
  async close(): Promise<void> {
    for (const entry of this.#topics.values()) {
      for (const subscriber of entry.subscribers) subscriber.active = false;
    }
    this.#topics.clear();
    this.#stop();
  }

  #open(key: StoreKey, name: string): Topic<C> {
    const entry: Topic<C> = {
      key,
      name,
      subscribers: new Set(),
      cursor: undefined,
      started: false,
      ready: Promise.resolve(),
      failures: 0,
      skip: 0,
    };
    entry.ready = this.#log.read([{ topic: key, cursor: undefined }]).then(([batch]) => {
      if (batch === undefined) throw new TypeError(`the topic log answered no batch for ${name}`);
      if ("error" in batch) throw batch.error;
      entry.cursor = batch.cursor;
      entry.started = true;
    });
    this.#topics.set(name, entry);
    return entry;
  }

  // Backing off never waits longer than a timer can (a long poll interval times 16 could).
  #schedule(
    delay = Math.min(MAX_TIMER_MS, this.#pollMs * Math.min(MAX_BACKOFF_FACTOR, 2 ** this.#failures)),
  ): void {
    if (this.#timer !== undefined || this.#polling || this.#topics.size === 0) return;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#poll();
    }, delay);
    (timer as unknown as { unref?: () => void }).unref?.();
    this.#timer = timer;
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    const topics: Topic<C>[] = [];
    let waiting = false;
    for (const entry of this.#topics.values()) {
      if (!entry.started) continue;
      if (entry.skip > 0) {
        entry.skip -= 1;
        waiting = true;
      } else topics.push(entry);
    }
    if (topics.length === 0) {
      // Only topics sitting out a failure: keep the pace, so they get their turn.
      if (waiting) this.#schedule();
      return;
    }
    this.#polling = true;
    let more = false;
    try {
      const batches = await this.#log.read(
        topics.map((entry) => ({ topic: entry.key, cursor: entry.cursor })),
      );
      let read = 0;
      for (const [i, entry] of topics.entries()) {
        const batch = batches[i];
        if (batch === undefined) continue;
        if ("error" in batch) {
          entry.failures += 1;
          entry.skip = Math.min(MAX_BACKOFF_FACTOR, 2 ** entry.failures) - 1;
          if (entry.subscribers.size > 0) this.#report(batch.error, entry.name);
          continue;
        }
        read += 1;
        entry.failures = 0;
        entry.cursor = batch.cursor;
        if (batch.more) more = true;
        for (const text of batch.messages) this.#deliver(entry, text);
      }
      // Every topic failing looks like the store, not a topic: back off the whole poll as well.
      this.#failures = read === 0 ? this.#failures + 1 : 0;
    } catch (error) {
      this.#failures += 1;
      if (this.#topics.size > 0) this.#report(error, "*");
    } finally {
      this.#polling = false;
    }
    this.#schedule(more ? 0 : undefined);
  }

  /** Every active subscriber gets its own parse of `text`; a message that is not JSON is reported once. */
  #deliver(entry: Topic<C>, text: string): void {
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(text) as JsonValue;
    } catch (error) {
      this.#report(error, entry.name);
      return;
    }
    let first = true;
    for (const subscriber of [...entry.subscribers]) {
      if (!subscriber.active) continue;
      try {
        subscriber.onMessage(first ? parsed : (JSON.parse(text) as JsonValue));
      } catch (error) {
        this.#report(error, entry.name);
      }
      first = false;
    }
  }

  #report(error: unknown, topic: string): void {
    try {
      this.#onError?.(error, topic);
    } catch {
      // An error handler that throws must not stop polling or the other subscribers.
    }
  }
}
