import {
  type Bus,
  checkTimerMs,
  type JsonValue,
  MAX_TIMER_MS,
  type StoreKey,
  type Subscription,
  storeKeyText,
  toJsonText,
} from "@portico/core";
import { objectForTopic } from "./_routing.ts";
import { SUBSCRIBE_URL, topicName } from "./_sockets.ts";
import { callObject, objectNamed, type SessionObjectNamespace } from "./_stub.ts";

/** Options for {@link DurableObjectBus}. */
export interface DurableObjectBusOptions {
  /**
   * Called when a subscriber throws, a message is not JSON, or a lost subscription cannot be
   * renewed. `topic` is the topic's `storeKeyText`.
   */
  onError?: (error: unknown, topic: string) => void;
  /**
   * First delay before renewing a subscription whose socket the object closed; doubles up to 16×
   * (never past 2^31−1 ms). Default 100 ms; 1 to 2^31−1 ms (about 24.8 days, the longest a timer
   * waits), else the constructor throws a `RangeError`.
   */
  reconnectMs?: number;
}

interface Subscriber {
  key: StoreKey;
  /** The topic's `storeKeyText`. */
  topic: string;
  /** How the object knows it (`topicName`). */
  name: string;
  onMessage: (message: JsonValue) => void;
  active: boolean;
  socket: WebSocket | undefined;
}

/**
 * {@link Bus} through the topic's session object (the session's own for a topic with a `session`,
 * see `_routing.ts`), which knows the topic by its `storeKeyText` (a long one by its digest, see
 * `topicName`). `subscribe` opens a WebSocket to the object, which accepts it with the hibernation
 * API: the object may sleep while subscribers wait, and a waiting subscriber costs no object duration. `publish` is one call on the object, which sends the
 * message to the topic's sockets in publish order. `subscribe` resolves once the object has accepted
 * the socket, so everything published afterwards reaches it.
 *
 * The socket belongs to the invocation that subscribed (Workers bind I/O to its request), so
 * messages arrive in that invocation, and the subscription ends with it at the latest. If the object
 * closes the socket (a deploy, a reset), the subscription is renewed with backoff; messages
 * published in between are lost, which the at-most-once {@link Bus} contract allows — Portico reads
 * the stores again on every wake-up.
 */
export class DurableObjectBus implements Bus {
  readonly #namespace: SessionObjectNamespace;
  readonly #onError: DurableObjectBusOptions["onError"];
  readonly #reconnectMs: number;

  constructor(namespace: SessionObjectNamespace, options: DurableObjectBusOptions = {}) {
    this.#namespace = namespace;
    this.#onError = options.onError;
    this.#reconnectMs = options.reconnectMs ?? 100;
    checkTimerMs("reconnectMs", this.#reconnectMs, 1);
  }

  async publish(topic: StoreKey, message: JsonValue): Promise<void> {
    const text = toJsonText(message, "a bus message");
    const name = await topicName(storeKeyText(topic));
    await callObject("publish", false, () =>
      objectNamed(this.#namespace, objectForTopic(topic)).publish(name, text),
    );
  }

  async subscribe(topic: StoreKey, onMessage: (message: JsonValue) => void): Promise<Subscription> {
    const text = storeKeyText(topic);
    const subscriber: Subscriber = {
      key: topic,
      topic: text,
      name: await topicName(text),
      onMessage,
      active: true,
      socket: undefined,
    };
    await this.#connect(subscriber);
    return {
      unsubscribe: async () => {
        if (!subscriber.active) return;
        subscriber.active = false;
        closeQuietly(subscriber.socket);
        subscriber.socket = undefined;
      },
    };
  }

  async #connect(subscriber: Subscriber): Promise<void> {
    const { key, topic, name } = subscriber;
    const url = `${SUBSCRIBE_URL}?topic=${encodeURIComponent(name)}`;
    const response = await callObject("subscribe", true, () =>
      objectNamed(this.#namespace, objectForTopic(key)).fetch(url, { headers: { upgrade: "websocket" } }),
    );
    const socket = response.webSocket;
    if (response.status !== 101 || socket === null) {
      throw new Error(`session object refused the subscription to ${topic} (HTTP ${response.status})`);
    }
    socket.accept();
    subscriber.socket = socket;
    socket.addEventListener("message", (event) => {
      if (!subscriber.active) return;
      let message: JsonValue;
      try {
        message = JSON.parse(String(event.data)) as JsonValue;
      } catch (error) {
        this.#report(error, topic);
        return;
      }
      try {
        subscriber.onMessage(message);
      } catch (error) {
        this.#report(error, topic);
      }
    });
    socket.addEventListener("close", () => {
      if (subscriber.active && subscriber.socket === socket) void this.#renew(subscriber);
    });
  }

  /** Resubscribes after the object dropped the socket, backing off while it keeps failing. */
  async #renew(subscriber: Subscriber): Promise<void> {
    subscriber.socket = undefined;
    for (let attempt = 0; subscriber.active; attempt++) {
      // 16 × a valid `reconnectMs` may pass what a timer keeps (it would then fire at once).
      const delay = Math.min(MAX_TIMER_MS, this.#reconnectMs * 2 ** Math.min(attempt, 4));
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (!subscriber.active) return;
      try {
        await this.#connect(subscriber);
        if (!subscriber.active) closeQuietly(subscriber.socket);
        return;
      } catch (error) {
        this.#report(error, subscriber.topic);
      }
    }
  }

  #report(error: unknown, topic: string): void {
    try {
      this.#onError?.(error, topic);
    } catch {
      // An error handler that throws must not break delivery.
    }
  }
}

function closeQuietly(socket: WebSocket | undefined): void {
  try {
    socket?.close(1000, "unsubscribed");
  } catch {
    // Already closed.
  }
}
