export { assertStreamId, isStreamId, splitEventId } from "./event-id.ts";
export { toJsonText } from "./json-text.ts";
export { storeKeyText } from "./keys.ts";
export type { MemoryStoresOptions } from "./memory.ts";
export { memoryStores } from "./memory.ts";
export type { MemoryBusOptions } from "./memory-bus.ts";
export { MemoryBus } from "./memory-bus.ts";
export type { MemoryEventStoreOptions } from "./memory-event-store.ts";
export { MemoryEventStore } from "./memory-event-store.ts";
export type { MemorySessionStoreOptions } from "./memory-session-store.ts";
export { MemorySessionStore } from "./memory-session-store.ts";
export type { PollingBusOptions, TopicLog, TopicLogBatch, TopicLogRead } from "./polling-bus.ts";
export { PollingBus } from "./polling-bus.ts";
export type {
  Bus,
  EventStore,
  JsonValue,
  SessionStore,
  StoredEvent,
  StoredRecord,
  StoreKey,
  Stores,
  Subscription,
} from "./types.ts";
