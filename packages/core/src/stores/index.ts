export { assertStreamId, isStreamId, splitEventId } from "./event-id.ts";
export { toJsonText } from "./json-text.ts";
export { storeKeyText } from "./keys.ts";
export type { MemoryStoresOptions } from "./memory.ts";
export { memoryStores } from "./memory.ts";
export type { MemoryBusOptions } from "./memory-bus.ts";
export { MemoryBus } from "./memory-bus.ts";
export type { MemoryEventStoreOptions } from "./memory-event-store.ts";
export { MemoryEventStore } from "./memory-event-store.ts";
export type { MemoryRateLimitStoreOptions } from "./memory-rate-limit-store.ts";
export { MemoryRateLimitStore } from "./memory-rate-limit-store.ts";
export type { MemorySessionStoreOptions } from "./memory-session-store.ts";
export { MemorySessionStore } from "./memory-session-store.ts";
export type { PollingBusOptions, TopicLog, TopicLogBatch, TopicLogRead } from "./polling-bus.ts";
export { PollingBus } from "./polling-bus.ts";
export type { TokenStep } from "./token-bucket.ts";
export { assertTokenBucket, takeToken, tokenIntervalMs } from "./token-bucket.ts";
export type {
  Bus,
  EventStore,
  JsonValue,
  RateLimitStore,
  SessionStore,
  StoredEvent,
  StoredRecord,
  StoreKey,
  Stores,
  Subscription,
  TokenBucket,
  TokenTake,
} from "./types.ts";
