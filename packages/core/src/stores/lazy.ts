/**
 * Stores made on first use. A handler's default in-memory stores (the legacy era's four, the
 * modern era's session store and bus) are only needed once a request touches them — a session, an
 * MRTR retry, a subscription, a rate limit — so a cold start that answers a plain call never builds
 * them (~0.2 ms of a Lambda cold start).
 */
import type { Stores } from "./types.ts";

/**
 * `make()`'s stores behind members that make them on their first call (once). `limits` says whether
 * `make()` gives a rate-limit store, so the result has `limits` exactly when the made stores do.
 */
export function lazyStores(make: () => Stores, limits: boolean): Stores {
  let made: Stores | undefined;
  const real = (): Stores => {
    made ??= make();
    return made;
  };
  const stores: Stores = {
    sessions: {
      get: (key) => real().sessions.get(key),
      create: (key, value, ttlMs) => real().sessions.create(key, value, ttlMs),
      update: (key, version, value, ttlMs) => real().sessions.update(key, version, value, ttlMs),
      delete: (key) => real().sessions.delete(key),
    },
    events: {
      append: (session, stream, message) => real().events.append(session, stream, message),
      replay: (session, lastEventId) => real().events.replay(session, lastEventId),
      trim: (session, stream) => real().events.trim(session, stream),
    },
    bus: {
      publish: (topic, message) => real().bus.publish(topic, message),
      subscribe: (topic, onMessage) => real().bus.subscribe(topic, onMessage),
    },
  };
  if (limits) {
    stores.limits = {
      take: (key, bucket) => {
        const store = real().limits;
        if (store === undefined)
          return Promise.reject(new Error("lazyStores: make() gave no rate-limit store"));
        return store.take(key, bucket);
      },
    };
  }
  return stores;
}
