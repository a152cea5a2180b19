import type { Stores } from "@portico/core";
import { checkTimerMs } from "@portico/core";
import type { CommandOptions } from "./_commands.ts";
import type { RedisClientLike, RedisConnection } from "./connection.ts";
import { toRedisConnection } from "./connection.ts";
import { RedisEventStore } from "./event-store.ts";
import { RedisPollingBus } from "./polling-bus.ts";
import { RedisPubSubBus } from "./pubsub-bus.ts";
import { RedisRateLimitStore } from "./rate-limit-store.ts";
import { RedisSessionStore } from "./session-store.ts";

/** Options for {@link redisStores}. */
export interface RedisStoresOptions extends CommandOptions {
  /**
   * A connected node-redis client (`await createClient({ url }).connect()`), an ioredis client
   * (`new Redis(url)`), or a {@link RedisConnection} such as `new RedisRestClient({ url, token })`.
   */
  client: RedisClientLike;
  /** Prepended to every key and channel, so several apps can share one database. Default `"portico:"`. */
  keyPrefix?: string;
  /**
   * `"pubsub"` (Redis pub/sub over a dedicated connection; TCP clients only) or `"poll"` (short
   * streams polled every `busPollMs`; works everywhere). Default: `"pubsub"` when the client has
   * pub/sub, else `"poll"`. All instances of one app must use the same kind.
   */
  bus?: "pubsub" | "poll";
  /**
   * Delay between two polls of the polling bus. Default 200 ms; 1 to 2^31−1 ms (about 24.8 days, the
   * longest a timer waits), else `redisStores` throws a `RangeError` (whichever bus it picks).
   */
  busPollMs?: number;
  /** How long a session's events are kept after its last append. Default 24 hours. */
  eventTtlMs?: number;
  /** Events kept per stream (the oldest go first). Default 10 000; 0 keeps all until the ttl. */
  maxEventsPerStream?: number;
  /**
   * Most bytes (UTF-8 JSON text) of events kept per session, across its streams: the oldest are
   * evicted first, inside the append script, and the newest is always kept. Default 8 MB.
   * See `RedisEventStoreOptions`.
   */
  maxBytesPerSession?: number;
  /** Called when a bus subscriber throws, a poll fails or the pub/sub connection reports an error. */
  onError?: (error: unknown, topic: string) => void;
}

/** What {@link redisStores} returns: {@link Stores} with the concrete classes, and `close()`. */
export interface RedisStores extends Stores {
  sessions: RedisSessionStore;
  events: RedisEventStore;
  bus: RedisPubSubBus | RedisPollingBus;
  limits: RedisRateLimitStore;
  /** Closes what the stores opened themselves (the pub/sub connection, the poll timer), not `client`. */
  close(): Promise<void>;
}

/**
 * A {@link RedisSessionStore}, {@link RedisEventStore}, a bus and a {@link RedisRateLimitStore} on
 * one Redis client. Creating them does no I/O; the pub/sub connection opens at the first `subscribe`.
 */
export function redisStores(options: RedisStoresOptions): RedisStores {
  // Checked whichever bus is picked, under the name it was given.
  if (options.busPollMs !== undefined) checkTimerMs("busPollMs", options.busPollMs, 1);
  const connection = toRedisConnection(options.client);
  const common: CommandOptions & { keyPrefix?: string } = {};
  if (options.keyPrefix !== undefined) common.keyPrefix = options.keyPrefix;
  if (options.timeoutMs !== undefined) common.timeoutMs = options.timeoutMs;
  if (options.retries !== undefined) common.retries = options.retries;
  if (options.primaryReads !== undefined) common.primaryReads = options.primaryReads;
  const onError = options.onError ? { onError: options.onError } : {};
  const kind = options.bus ?? (connection.subscriber ? "pubsub" : "poll");
  const bus =
    kind === "pubsub"
      ? new RedisPubSubBus(connection, { ...common, ...onError })
      : new RedisPollingBus(connection, {
          ...common,
          ...onError,
          ...(options.busPollMs === undefined ? {} : { pollMs: options.busPollMs }),
        });
  return {
    sessions: new RedisSessionStore(connection, common),
    events: new RedisEventStore(connection, {
      ...common,
      ...(options.eventTtlMs === undefined ? {} : { eventTtlMs: options.eventTtlMs }),
      ...(options.maxEventsPerStream === undefined ? {} : { maxEventsPerStream: options.maxEventsPerStream }),
      ...(options.maxBytesPerSession === undefined ? {} : { maxBytesPerSession: options.maxBytesPerSession }),
    }),
    bus,
    limits: new RedisRateLimitStore(connection, common),
    close: () => bus.close(),
  };
}
