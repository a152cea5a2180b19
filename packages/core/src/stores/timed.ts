/**
 * Stores with a deadline on every call: a backend that stops answering (a frozen Redis, a network
 * partition) fails its calls with `StoreUnavailableError` after `timeoutMs` instead of holding the
 * request — and any stream waiting on it — open forever. The handler answers those with 503 and
 * `Retry-After`, and streams end (see Exchange).
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Bus, EventStore, RateLimitStore, SessionStore, Stores } from "./types.ts";

function deadline<T>(what: string, timeoutMs: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(`store call ${what} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    (timer as { unref?: () => void }).unref?.();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** `stores` with every call bounded by `timeoutMs` (unchanged when it is not a positive number). */
export function timedStores(stores: Stores, timeoutMs: number): Stores {
  if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) return stores;
  const { sessions: s, events: e, bus: b, limits: l } = stores;
  const sessions: SessionStore = {
    get: (key) => deadline("sessions.get", timeoutMs, s.get(key)),
    create: (key, value, ttl) => deadline("sessions.create", timeoutMs, s.create(key, value, ttl)),
    update: (key, version, value, ttl) =>
      deadline("sessions.update", timeoutMs, s.update(key, version, value, ttl)),
    delete: (key) => deadline("sessions.delete", timeoutMs, s.delete(key)),
  };
  const events: EventStore = {
    append: (session, stream, message) =>
      deadline("events.append", timeoutMs, e.append(session, stream, message)),
    replay: (session, last) => deadline("events.replay", timeoutMs, e.replay(session, last)),
    trim: (session, stream) => deadline("events.trim", timeoutMs, e.trim(session, stream)),
  };
  const bus: Bus = {
    publish: (topic, message) => deadline("bus.publish", timeoutMs, b.publish(topic, message)),
    subscribe: async (topic, onMessage) => {
      const pending = b.subscribe(topic, onMessage);
      const subscription = await deadline("bus.subscribe", timeoutMs, pending).catch((error: unknown) => {
        // Confirmed after the deadline, the subscription has no owner (the caller got this error
        // and will never unsubscribe): it is dropped as soon as it exists.
        pending.then((late) => late.unsubscribe()).catch(() => {});
        throw error;
      });
      return { unsubscribe: () => deadline("bus.unsubscribe", timeoutMs, subscription.unsubscribe()) };
    },
  };
  if (l === undefined) return { sessions, events, bus };
  const limits: RateLimitStore = {
    take: (key, bucket) => deadline("limits.take", timeoutMs, l.take(key, bucket)),
  };
  return { sessions, events, bus, limits };
}
