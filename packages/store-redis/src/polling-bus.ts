import { toJsonText } from "@portico/core";
import type { Bus, JsonValue, Subscription } from "@portico/core";
import { Commands } from "./_commands.ts";
import type { CommandOptions } from "./_commands.ts";
import { ttlArgument } from "./_json.ts";
import { POLL, PUBLISH, READ } from "./_scripts.ts";
import { deliver, safeReport } from "./_subscribers.ts";
import type { Subscriber } from "./_subscribers.ts";
import type { RedisClientLike, RedisReply } from "./connection.ts";

/** Options for {@link RedisPollingBus}. */
export interface RedisPollingBusOptions extends CommandOptions {
  /** Prepended to every key. Default `"portico:"`. */
  keyPrefix?: string;
  /** Delay between two polls while anything is subscribed. Default 200 ms. */
  pollMs?: number;
  /** How long a topic's messages are kept after its last publish. Default 60 s. */
  messageTtlMs?: number;
  /** Messages kept per topic (approximately). Default 1000. */
  maxMessagesPerTopic?: number;
  /** Called when a subscriber throws or a poll fails; polling goes on either way. */
  onError?: (error: unknown, topic: string) => void;
}

interface Topic {
  name: string;
  key: string;
  subscribers: Set<Subscriber>;
  /** The id of the last entry handled; known once `ready` resolved (then `started`). */
  cursor: string;
  started: boolean;
  ready: Promise<void>;
}

/** Entries read per topic per poll; a topic that fills it is polled again at once. */
const BATCH = 200;
/** Poll delay grows up to this factor while polls keep failing. */
const MAX_BACKOFF_FACTOR = 16;

/**
 * {@link Bus} for connections without pub/sub (Upstash REST on Edge runtimes): each topic is a
 * short Redis Stream (`<prefix>b:<topic>`). `publish` appends to it (XADD with an approximate
 * MAXLEN, and an expiry of `messageTtlMs`); a bus instance polls all its subscribed topics with
 * one XREAD per `pollMs` (so one request per poll, however many topics), and hands new entries
 * to their subscribers in stream order. `subscribe` resolves once the topic's current end is
 * known, so everything published after it resolves is delivered. Delivery is at most once, best
 * effort. Every instance of one app must use the same bus kind: pub/sub and polling do not hear
 * each other. On Workers and Edge, timers do not outlive the request: subscribe within one.
 */
export class RedisPollingBus implements Bus {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #pollMs: number;
  readonly #ttl: string;
  readonly #maxLen: string;
  readonly #onError: RedisPollingBusOptions["onError"];
  readonly #topics = new Map<string, Topic>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #polling = false;
  #failures = 0;

  constructor(client: RedisClientLike, options: RedisPollingBusOptions = {}) {
    this.#commands = new Commands(client, options);
    this.#prefix = `${options.keyPrefix ?? "portico:"}b:`;
    this.#pollMs = options.pollMs ?? 200;
    this.#ttl = ttlArgument(options.messageTtlMs ?? 60_000, "messageTtlMs");
    const maxLen = options.maxMessagesPerTopic ?? 1_000;
    if (!(this.#pollMs > 0)) throw new RangeError(`pollMs must be positive, got ${this.#pollMs}`);
    if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
      throw new RangeError(`maxMessagesPerTopic must be a positive integer, got ${maxLen}`);
    }
    this.#maxLen = String(maxLen);
    this.#onError = options.onError;
  }

  async publish(topic: string, message: JsonValue): Promise<void> {
    const args = [toJsonText(message, "a bus message"), this.#ttl, this.#maxLen];
    await this.#commands.eval(PUBLISH, [this.#prefix + topic], args, "once");
  }

  async subscribe(topic: string, onMessage: (message: JsonValue) => void): Promise<Subscription> {
    const entry = this.#topics.get(topic) ?? this.#open(topic);
    const subscriber: Subscriber = { onMessage, active: true };
    entry.subscribers.add(subscriber);
    const unsubscribe = async () => {
      if (!subscriber.active) return;
      subscriber.active = false;
      entry.subscribers.delete(subscriber);
      if (entry.subscribers.size === 0 && this.#topics.get(topic) === entry) this.#topics.delete(topic);
      if (this.#topics.size === 0) this.#stop();
    };
    try {
      await entry.ready;
    } catch (error) {
      await unsubscribe();
      throw error;
    }
    this.#schedule();
    return { unsubscribe };
  }

  /** Stops polling; existing subscriptions receive nothing more. Publishing still works. */
  async close(): Promise<void> {
    for (const entry of this.#topics.values()) {
      for (const subscriber of entry.subscribers) subscriber.active = false;
    }
    this.#topics.clear();
    this.#stop();
  }

  #open(name: string): Topic {
    const key = this.#prefix + name;
    const entry: Topic = {
      name,
      key,
      subscribers: new Set(),
      cursor: "0-0",
      started: false,
      ready: Promise.resolve(),
    };
    const last = this.#commands.eval(READ, [key], ["XREVRANGE", "+", "-", "COUNT", "1"], "idempotent");
    entry.ready = last.then((reply) => {
      entry.cursor = lastId(reply) ?? "0-0";
      entry.started = true;
    });
    this.#topics.set(name, entry);
    return entry;
  }

  #schedule(delay = this.#pollMs * Math.min(MAX_BACKOFF_FACTOR, 2 ** this.#failures)): void {
    if (this.#timer !== undefined || this.#polling || this.#topics.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#poll();
    }, delay);
  }

  #stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    const topics = [...this.#topics.values()].filter((entry) => entry.started);
    if (topics.length === 0) return;
    this.#polling = true;
    let full = false;
    try {
      const reply = await this.#commands.eval(
        POLL,
        topics.map((entry) => entry.key),
        [String(BATCH), ...topics.map((entry) => entry.cursor)],
        "idempotent",
      );
      this.#failures = 0;
      full = this.#dispatch(topics, reply);
    } catch (error) {
      this.#failures += 1;
      if (this.#topics.size > 0) safeReport(this.#onError, error, "*");
    } finally {
      this.#polling = false;
    }
    this.#schedule(full ? 0 : undefined);
  }

  /** Delivers XREAD's answer; true when a topic filled its batch (more may be waiting). */
  #dispatch(topics: Topic[], reply: RedisReply): boolean {
    let full = false;
    const byKey = new Map(topics.map((entry) => [entry.key, entry]));
    for (const item of Array.isArray(reply) ? reply : []) {
      const [key, entries] = Array.isArray(item) ? item : [];
      const entry = typeof key === "string" ? byKey.get(key) : undefined;
      if (!entry || !Array.isArray(entries)) continue;
      if (entries.length >= BATCH) full = true;
      for (const streamEntry of entries) {
        const [id, fields] = Array.isArray(streamEntry) ? streamEntry : [];
        if (typeof id !== "string") continue;
        entry.cursor = id;
        const text = Array.isArray(fields) ? fields[1] : undefined;
        if (typeof text === "string") {
          deliver(entry.subscribers, text, (error) => safeReport(this.#onError, error, entry.name));
        }
      }
    }
    return full;
  }
}

function lastId(reply: RedisReply): string | undefined {
  const first = Array.isArray(reply) ? reply[0] : undefined;
  const id = Array.isArray(first) ? first[0] : undefined;
  return typeof id === "string" ? id : undefined;
}
