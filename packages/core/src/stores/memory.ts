import type { MemoryBusOptions } from "./memory-bus.ts";
import { MemoryBus } from "./memory-bus.ts";
import type { MemoryEventStoreOptions } from "./memory-event-store.ts";
import { MemoryEventStore } from "./memory-event-store.ts";
import { MemoryRateLimitStore } from "./memory-rate-limit-store.ts";
import type { MemorySessionStoreOptions } from "./memory-session-store.ts";
import { MemorySessionStore } from "./memory-session-store.ts";
import type { Stores } from "./types.ts";

/** Options for {@link memoryStores}: those of the in-memory stores together. */
export interface MemoryStoresOptions
  extends MemorySessionStoreOptions,
    MemoryEventStoreOptions,
    MemoryBusOptions {}

/**
 * A fresh {@link MemorySessionStore}, {@link MemoryEventStore}, {@link MemoryBus} and
 * {@link MemoryRateLimitStore}. They live in
 * one process, so they only suit tests, local development and a single long-lived instance.
 */
export function memoryStores(options: MemoryStoresOptions = {}): Stores {
  const sessionOptions: MemorySessionStoreOptions = {};
  if (options.now) sessionOptions.now = options.now;
  if (options.maxRecords !== undefined) sessionOptions.maxRecords = options.maxRecords;
  const eventOptions: MemoryEventStoreOptions = {};
  if (options.now) eventOptions.now = options.now;
  if (options.maxEventsPerSession !== undefined)
    eventOptions.maxEventsPerSession = options.maxEventsPerSession;
  if (options.maxBytesPerSession !== undefined) eventOptions.maxBytesPerSession = options.maxBytesPerSession;
  if (options.idleSessionMs !== undefined) eventOptions.idleSessionMs = options.idleSessionMs;
  const busOptions: MemoryBusOptions = {};
  if (options.onError) busOptions.onError = options.onError;
  return {
    sessions: new MemorySessionStore(sessionOptions),
    events: new MemoryEventStore(eventOptions),
    bus: new MemoryBus(busOptions),
    limits: new MemoryRateLimitStore(options.now ? { now: options.now } : {}),
  };
}
