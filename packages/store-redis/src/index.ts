export type { CommandOptions } from "./_commands.ts";
export type {
  IoRedisClientLike,
  IoRedisSubscriberLike,
  NodeRedisClientLike,
  NodeRedisSubscriberLike,
  RedisClientLike,
  RedisConnection,
  RedisReply,
  RedisSubscriber,
} from "./connection.ts";
export { ioRedisConnection, nodeRedisConnection, toRedisConnection } from "./connection.ts";
export { isTransientReply, RedisError } from "./errors.ts";
export type { RedisEventStoreOptions } from "./event-store.ts";
export { RedisEventStore } from "./event-store.ts";
export type { RedisPollingBusOptions } from "./polling-bus.ts";
export { RedisPollingBus } from "./polling-bus.ts";
export type { RedisPubSubBusOptions } from "./pubsub-bus.ts";
export { RedisPubSubBus } from "./pubsub-bus.ts";
export type { RedisRateLimitStoreOptions } from "./rate-limit-store.ts";
export { RedisRateLimitStore } from "./rate-limit-store.ts";
export type { RedisRestClientOptions } from "./rest-client.ts";
export { RedisRestClient } from "./rest-client.ts";
export type { RedisSessionStoreOptions } from "./session-store.ts";
export { RedisSessionStore } from "./session-store.ts";
export type { RedisStores, RedisStoresOptions } from "./stores.ts";
export { redisStores } from "./stores.ts";
