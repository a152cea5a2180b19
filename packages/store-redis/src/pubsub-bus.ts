import type { Bus, JsonValue, StoreKey, Subscription } from "@portico/core";
import { storeKeyText, toJsonText } from "@portico/core";
import type { CommandOptions } from "./_commands.ts";
import { Commands } from "./_commands.ts";
import type { Subscriber } from "./_subscribers.ts";
import { deliver, safeReport } from "./_subscribers.ts";
import type { RedisClientLike, RedisSubscriber } from "./connection.ts";

/** Options for {@link RedisPubSubBus}. */
export interface RedisPubSubBusOptions extends CommandOptions {
  /** Prepended to every channel name. Default `"portico:"`. */
  keyPrefix?: string;
  /**
   * Called when a subscriber throws, a message cannot be parsed (with the topic's `storeKeyText`)
   * or the pub/sub connection reports an error (topic `"*"`: the client reconnects and
   * resubscribes by itself).
   */
  onError?: (error: unknown, topic: string) => void;
}

interface Channel {
  subscribers: Set<Subscriber>;
  /** Settles when Redis confirmed SUBSCRIBE for this channel. */
  ready: Promise<void>;
}

/**
 * {@link Bus} on Redis pub/sub: `publish` is one `PUBLISH <prefix>b:<storeKeyText(topic)>` on the shared client;
 * subscriptions use one dedicated connection per bus (the client's `duplicate()`, opened at the
 * first `subscribe`), with one Redis subscription per topic shared by all its subscribers.
 * `subscribe` resolves once Redis confirmed the subscription, so everything published later is
 * delivered; messages of one publisher arrive in order. Delivery is at most once: a message
 * published while the pub/sub connection is down is lost (the client resubscribes when it is
 * back), which the {@link Bus} contract allows. Needs a TCP client (node-redis, ioredis).
 */
export class RedisPubSubBus implements Bus {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #onError: RedisPubSubBusOptions["onError"];
  readonly #openSubscriber: (onError: (error: unknown) => void) => RedisSubscriber;
  readonly #channels = new Map<string, Channel>();
  /** Per channel, the last SUBSCRIBE/UNSUBSCRIBE still running: the next one waits for it. */
  readonly #pending = new Map<string, Promise<void>>();
  #subscriber: RedisSubscriber | undefined;
  #closed = false;

  constructor(client: RedisClientLike, options: RedisPubSubBusOptions = {}) {
    this.#commands = new Commands(client, options);
    const connection = this.#commands.connection;
    if (!connection.subscriber) {
      throw new TypeError("this client has no pub/sub connection (REST): use RedisPollingBus");
    }
    this.#openSubscriber = connection.subscriber.bind(connection);
    this.#prefix = `${options.keyPrefix ?? "portico:"}b:`;
    this.#onError = options.onError;
  }

  async publish(topic: StoreKey, message: JsonValue): Promise<void> {
    const text = toJsonText(message, "a bus message");
    await this.#commands.run(["PUBLISH", this.#prefix + storeKeyText(topic), text], "once");
  }

  async subscribe(key: StoreKey, onMessage: (message: JsonValue) => void): Promise<Subscription> {
    if (this.#closed) throw new TypeError("the bus is closed");
    const topic = storeKeyText(key);
    const name = this.#prefix + topic;
    const channel = this.#channels.get(name) ?? this.#open(name, topic);
    const subscriber: Subscriber = { onMessage, active: true };
    channel.subscribers.add(subscriber);
    /** Stops delivery at once; the UNSUBSCRIBE of the last subscriber is returned, not awaited here. */
    const release = (): Promise<void> | undefined => {
      if (!subscriber.active) return undefined;
      subscriber.active = false;
      channel.subscribers.delete(subscriber);
      if (channel.subscribers.size > 0 || this.#channels.get(name) !== channel) return undefined;
      this.#channels.delete(name);
      return this.#then(name, channel.ready, "unsubscribe");
    };
    try {
      await this.#commands.within("SUBSCRIBE", channel.ready);
    } catch (error) {
      // If the SUBSCRIBE still goes through later, the queued UNSUBSCRIBE undoes it.
      release()?.catch(() => {});
      throw error;
    }
    return {
      unsubscribe: async () => {
        const unsubscribed = release();
        if (!unsubscribed) return;
        await this.#commands
          .within("UNSUBSCRIBE", unsubscribed)
          .catch((error: unknown) => safeReport(this.#onError, error, topic));
      },
    };
  }

  /** Closes the pub/sub connection; existing subscriptions receive nothing more. Publishing still works. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const channel of this.#channels.values()) {
      for (const subscriber of channel.subscribers) subscriber.active = false;
    }
    this.#channels.clear();
    const subscriber = this.#subscriber;
    this.#subscriber = undefined;
    await subscriber?.close();
  }

  #open(name: string, topic: string): Channel {
    const subscribers = new Set<Subscriber>();
    const onMessage = (text: string) =>
      deliver(subscribers, text, (error) => safeReport(this.#onError, error, topic));
    const previous = this.#pending.get(name) ?? Promise.resolve();
    const channel: Channel = { subscribers, ready: this.#then(name, previous, "subscribe", onMessage) };
    this.#channels.set(name, channel);
    return channel;
  }

  /**
   * Runs SUBSCRIBE or UNSUBSCRIBE for `name` once `after` settles, and records it as the channel's
   * pending operation, so the operations on one channel reach Redis in call order.
   */
  #then(
    name: string,
    after: Promise<void>,
    operation: "subscribe" | "unsubscribe",
    onMessage: (text: string) => void = () => {},
  ): Promise<void> {
    const run = after
      .catch(() => {})
      .then(async () => {
        if (this.#closed) return;
        const connection = this.#connection();
        if (operation === "subscribe") await connection.subscribe(name, onMessage);
        else await connection.unsubscribe(name);
      });
    const settled = run.catch(() => {});
    this.#pending.set(name, settled);
    void settled.then(() => {
      if (this.#pending.get(name) === settled) this.#pending.delete(name);
    });
    return run;
  }

  #connection(): RedisSubscriber {
    if (!this.#subscriber)
      this.#subscriber = this.#openSubscriber((error) => safeReport(this.#onError, error, "*"));
    return this.#subscriber;
  }
}
