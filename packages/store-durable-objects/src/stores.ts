import type { Stores } from "@portico/core";
import type { SessionObjectNamespace } from "./_stub.ts";
import { DurableObjectBus, type DurableObjectBusOptions } from "./bus.ts";
import { DurableObjectEventStore, type DurableObjectEventStoreOptions } from "./event-store.ts";
import { DurableObjectRateLimitStore } from "./rate-limit-store.ts";
import { DurableObjectSessionStore } from "./session-store.ts";

/** Options for {@link durableObjectStores}. */
export interface DurableObjectStoresOptions extends DurableObjectEventStoreOptions, DurableObjectBusOptions {}

/** What {@link durableObjectStores} returns: {@link Stores} with the concrete classes. */
export interface DurableObjectStores extends Stores {
  sessions: DurableObjectSessionStore;
  events: DurableObjectEventStore;
  bus: DurableObjectBus;
  limits: DurableObjectRateLimitStore;
}

/**
 * The stores on a `PorticoSessionObject` namespace (the Durable Object binding of the exported
 * class): sessions, events, bus, and the rate-limit buckets (`limits`). Creating them does no I/O.
 */
export function durableObjectStores(
  namespace: SessionObjectNamespace,
  options: DurableObjectStoresOptions = {},
): DurableObjectStores {
  const events: DurableObjectEventStoreOptions = {};
  if (options.eventTtlMs !== undefined) events.eventTtlMs = options.eventTtlMs;
  if (options.maxBytesPerSession !== undefined) events.maxBytesPerSession = options.maxBytesPerSession;
  const bus: DurableObjectBusOptions = {};
  if (options.onError) bus.onError = options.onError;
  if (options.reconnectMs !== undefined) bus.reconnectMs = options.reconnectMs;
  return {
    sessions: new DurableObjectSessionStore(namespace),
    events: new DurableObjectEventStore(namespace, events),
    bus: new DurableObjectBus(namespace, bus),
    limits: new DurableObjectRateLimitStore(namespace),
  };
}
