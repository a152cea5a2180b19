import type { Stores } from "@portico/core";
import { checkTimerMs } from "@portico/host";
import { DynamoDbBus } from "./bus.ts";
import type { DynamoDbClientOptions } from "./client.ts";
import { DynamoDbClient } from "./client.ts";
import type { DynamoDbEventStoreOptions } from "./event-store.ts";
import { DynamoDbEventStore } from "./event-store.ts";
import { DynamoDbRateLimitStore } from "./rate-limit-store.ts";
import { DynamoDbSessionStore } from "./session-store.ts";

/** Options for {@link dynamoDbStores}. */
export interface DynamoDbStoresOptions extends DynamoDbClientOptions {
  /** The table (see `tableDefinition`): `pk`/`sk` string keys, TTL on `ttl`. */
  tableName: string;
  /** Prepended to every partition key, so several apps or test runs can share one table. */
  keyPrefix?: string;
  /** Use this client instead of making one from the connection options. */
  client?: DynamoDbClient;
  /** Delay between two bus polls of a subscribed topic. Default 200 ms; 1 to 2^31−1 ms. */
  busPollMs?: number;
  /** How far back a bus poll looks for late writes. Default 2000 ms; 0 to 2^31−1 ms. */
  busLookbackMs?: number;
  /**
   * How long events are kept. Default 24 hours; 1 to 2^31−1 ms. (2^31−1 ms, about 24.8 days, is the
   * longest a timer waits, and the bound of every duration here: out of range, `dynamoDbStores`
   * throws a `RangeError`.)
   */
  eventTtlMs?: number;
  /**
   * Most bytes (as JSON text) of events kept per session; the oldest are evicted first, the newest
   * always kept. Default 8 MB. See {@link DynamoDbEventStoreOptions.maxBytesPerSession}.
   */
  maxBytesPerSession?: number;
  /** Called when a bus subscriber throws or a bus poll fails. */
  onError?: (error: unknown, topic: string) => void;
  /** Clock in epoch milliseconds for every expiry decision; defaults to `Date.now`. */
  now?: () => number;
}

/** What {@link dynamoDbStores} returns: {@link Stores} with the concrete classes. */
export interface DynamoDbStores extends Stores {
  sessions: DynamoDbSessionStore;
  events: DynamoDbEventStore;
  bus: DynamoDbBus;
  limits: DynamoDbRateLimitStore;
  client: DynamoDbClient;
}

/**
 * A {@link DynamoDbSessionStore}, {@link DynamoDbEventStore}, {@link DynamoDbBus} and
 * {@link DynamoDbRateLimitStore} on one table, sharing one signed-fetch client. Creating them does
 * no I/O.
 */
export function dynamoDbStores(options: DynamoDbStoresOptions): DynamoDbStores {
  // Checked here too, so the error names the options as they were given.
  if (options.busPollMs !== undefined) checkTimerMs("busPollMs", options.busPollMs, 1);
  if (options.busLookbackMs !== undefined) checkTimerMs("busLookbackMs", options.busLookbackMs, 0);
  const client = options.client ?? new DynamoDbClient(clientOptions(options));
  const common: { tableName: string; keyPrefix?: string; now?: () => number } = {
    tableName: options.tableName,
  };
  if (options.keyPrefix !== undefined) common.keyPrefix = options.keyPrefix;
  if (options.now) common.now = options.now;
  return {
    client,
    sessions: new DynamoDbSessionStore(client, common),
    events: new DynamoDbEventStore(client, {
      ...common,
      ...(options.eventTtlMs === undefined ? {} : { eventTtlMs: options.eventTtlMs }),
      ...(options.maxBytesPerSession === undefined ? {} : { maxBytesPerSession: options.maxBytesPerSession }),
    }),
    bus: new DynamoDbBus(client, {
      ...common,
      ...(options.busPollMs === undefined ? {} : { pollMs: options.busPollMs }),
      ...(options.busLookbackMs === undefined ? {} : { lookbackMs: options.busLookbackMs }),
      ...(options.onError ? { onError: options.onError } : {}),
    }),
    limits: new DynamoDbRateLimitStore(client, common),
  };
}

function clientOptions(options: DynamoDbStoresOptions): DynamoDbClientOptions {
  const out: DynamoDbClientOptions = {};
  if (options.region !== undefined) out.region = options.region;
  if (options.endpoint !== undefined) out.endpoint = options.endpoint;
  if (options.credentials !== undefined) out.credentials = options.credentials;
  if (options.fetch !== undefined) out.fetch = options.fetch;
  if (options.retry !== undefined) out.retry = options.retry;
  if (options.requestTimeoutMs !== undefined) out.requestTimeoutMs = options.requestTimeoutMs;
  return out;
}
