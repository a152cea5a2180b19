/** Stores for fault tests: memory stores with some calls replaced. */
import type { Bus, SessionStore, Stores } from "../src/index.ts";

/**
 * `inner` with the session-store and bus calls in `parts` replaced; every other call goes to
 * `inner` (bound: a store is a class, its methods are not own properties to spread).
 */
export function overriding(
  inner: Stores,
  parts: { sessions?: Partial<SessionStore>; bus?: Partial<Bus> },
): Stores {
  const s = inner.sessions;
  const b = inner.bus;
  return {
    ...inner,
    sessions: {
      get: parts.sessions?.get ?? ((key) => s.get(key)),
      create: parts.sessions?.create ?? ((key, value, ttl) => s.create(key, value, ttl)),
      update: parts.sessions?.update ?? ((key, version, value, ttl) => s.update(key, version, value, ttl)),
      delete: parts.sessions?.delete ?? ((key) => s.delete(key)),
    },
    bus: {
      publish: parts.bus?.publish ?? ((topic, message) => b.publish(topic, message)),
      subscribe: parts.bus?.subscribe ?? ((topic, onMessage) => b.subscribe(topic, onMessage)),
    },
  };
}
