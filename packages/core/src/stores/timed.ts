/**
 * Stores with a deadline on every call: a backend that stops answering (a frozen Redis, a network
 * partition) fails its calls with `StoreUnavailableError` after `timeoutMs` instead of holding the
 * request — and any stream waiting on it — open forever. The handler answers those with 503 and
 * `Retry-After`, and streams end (see Exchange). A store used besides the handler's (a guard's own
 * `store` option) gets the same deadline through `timedSessionStore` / `timedRateLimitStore` and
 * `storeTimeoutOf(call.stores)`.
 */
import { StoreUnavailableError } from "../errors.ts";
import type { Bus, EventStore, RateLimitStore, SessionStore, Stores } from "./types.ts";

/** The deadline `timedStores` gave the stores it returned (0: none), for `storeTimeoutOf`. */
const deadlines = new WeakMap<Stores, number>();

/** Which store a failed call's error came from (`sessions`, `events`, `bus`, `limits`): see `failedStoreOf`. */
const failedStores = new WeakMap<object, string>();

/** Notes that `error` is the failure of store call `what` (`limits.take`: the `limits` store). */
function noteFailure(error: unknown, what: string): void {
  if ((typeof error === "object" && error !== null) || typeof error === "function") {
    if (!failedStores.has(error)) failedStores.set(error, what.slice(0, what.indexOf(".")));
  }
}

/**
 * The store (`sessions`, `events`, `bus`, `limits`) whose call failed with `error`, when the call
 * went through a deadline here; `undefined` otherwise.
 */
export function failedStoreOf(error: unknown): string | undefined {
  return (typeof error === "object" && error !== null) || typeof error === "function"
    ? failedStores.get(error)
    : undefined;
}

/** `call()`'s promise, or a rejected one when it throws at once (a store call throwing synchronously). */
function attempt<T>(call: () => Promise<T>): Promise<T> {
  try {
    return call();
  } catch (error) {
    return Promise.reject(error);
  }
}

function deadline<T>(what: string, timeoutMs: number, call: () => Promise<T>): Promise<T> {
  const work = attempt(call);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new StoreUnavailableError(`store call ${what} did not answer within ${timeoutMs} ms`);
      noteFailure(error, what);
      reject(error);
    }, timeoutMs);
    (timer as { unref?: () => void }).unref?.();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        noteFailure(error, what);
        reject(error);
      },
    );
  });
}

const bounded = (timeoutMs: number) => timeoutMs > 0 && Number.isFinite(timeoutMs);

/**
 * The longest wait for one call of `stores` when they are a handler's (`call.stores`): its
 * `storeTimeoutMs` (0: none); `undefined` for stores this does not know.
 */
export function storeTimeoutOf(stores: Stores): number | undefined {
  return deadlines.get(stores);
}

/** `store` with every call bounded by `timeoutMs`, as `timedStores` bounds a handler's (unchanged when it is not a positive number). */
export function timedSessionStore(s: SessionStore, timeoutMs: number): SessionStore {
  if (!bounded(timeoutMs)) return s;
  return {
    get: (key) => deadline("sessions.get", timeoutMs, () => s.get(key)),
    create: (key, value, ttl) => deadline("sessions.create", timeoutMs, () => s.create(key, value, ttl)),
    update: (key, version, value, ttl) =>
      deadline("sessions.update", timeoutMs, () => s.update(key, version, value, ttl)),
    delete: (key) => deadline("sessions.delete", timeoutMs, () => s.delete(key)),
  };
}

/** `store` with every call bounded by `timeoutMs`, as `timedStores` bounds a handler's (unchanged when it is not a positive number). */
export function timedRateLimitStore(l: RateLimitStore, timeoutMs: number): RateLimitStore {
  if (!bounded(timeoutMs)) return l;
  return { take: (key, bucket) => deadline("limits.take", timeoutMs, () => l.take(key, bucket)) };
}

/**
 * `bus` with every call bounded by `timeoutMs`, as `timedStores` bounds a handler's (unchanged when it
 * is not a positive number). A subscription the bus confirms after its deadline has no owner (the
 * caller got the error and will never unsubscribe): it is dropped as soon as it exists.
 */
export function timedBus(b: Bus, timeoutMs: number): Bus {
  if (!bounded(timeoutMs)) return b;
  return {
    publish: (topic, message) => deadline("bus.publish", timeoutMs, () => b.publish(topic, message)),
    subscribe: async (topic, onMessage) => {
      const pending = attempt(() => b.subscribe(topic, onMessage));
      const subscription = await deadline("bus.subscribe", timeoutMs, () => pending).catch(
        (error: unknown) => {
          pending.then((late) => late.unsubscribe()).catch(() => {});
          throw error;
        },
      );
      return { unsubscribe: () => deadline("bus.unsubscribe", timeoutMs, () => subscription.unsubscribe()) };
    },
  };
}

/** `stores` with every call bounded by `timeoutMs` (unchanged when it is not a positive number). */
export function timedStores(stores: Stores, timeoutMs: number): Stores {
  if (!bounded(timeoutMs)) {
    deadlines.set(stores, 0);
    return stores;
  }
  const { sessions: s, events: e, bus: b, limits: l } = stores;
  const sessions = timedSessionStore(s, timeoutMs);
  const events: EventStore = {
    append: (session, stream, message) =>
      deadline("events.append", timeoutMs, () => e.append(session, stream, message)),
    replay: (session, last) => deadline("events.replay", timeoutMs, () => e.replay(session, last)),
    trim: (session, stream) => deadline("events.trim", timeoutMs, () => e.trim(session, stream)),
  };
  const bus = timedBus(b, timeoutMs);
  const timed: Stores =
    l === undefined
      ? { sessions, events, bus }
      : { sessions, events, bus, limits: timedRateLimitStore(l, timeoutMs) };
  deadlines.set(timed, timeoutMs);
  return timed;
}
