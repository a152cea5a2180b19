/**
 * Stores that tell instruments about every call: its operation name, duration and failure. Wrap
 * the stores you give `createHandler` (`stores: ops.stores(redisStores(…))`).
 */
import type { Bus, EventStore, SessionStore, Stores } from "@portico/core";
import type { Instrument, StoreObservation } from "./instrument.ts";
import { quietly } from "./quietly.ts";

export function observedStores(stores: Stores, instruments: readonly Instrument[]): Stores {
  const listening = instruments.filter((i) => i.store !== undefined);
  if (listening.length === 0) return stores;
  const timed = <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    const observations: StoreObservation[] = [];
    for (const instrument of listening) {
      const o = instrument.store?.(operation);
      if (o !== undefined) observations.push(o);
    }
    const started = performance.now();
    const settle = (error?: unknown) => {
      const ms = performance.now() - started;
      for (const o of observations) quietly(o.end(ms, error));
    };
    let pending: Promise<T>;
    try {
      pending = work();
    } catch (error) {
      settle(error);
      throw error;
    }
    return pending.then(
      (value) => {
        settle();
        return value;
      },
      (error: unknown) => {
        settle(error ?? new Error("store call failed"));
        throw error;
      },
    );
  };
  const { sessions: s, events: e, bus: b, limits: l } = stores;
  const sessions: SessionStore = {
    get: (key) => timed("sessions.get", () => s.get(key)),
    create: (key, value, ttl) => timed("sessions.create", () => s.create(key, value, ttl)),
    update: (key, version, value, ttl) => timed("sessions.update", () => s.update(key, version, value, ttl)),
    delete: (key) => timed("sessions.delete", () => s.delete(key)),
  };
  const events: EventStore = {
    append: (session, stream, message) => timed("events.append", () => e.append(session, stream, message)),
    replay: (session, last) => timed("events.replay", () => e.replay(session, last)),
    trim: (session, stream) => timed("events.trim", () => e.trim(session, stream)),
  };
  const bus: Bus = {
    publish: (topic, message) => timed("bus.publish", () => b.publish(topic, message)),
    subscribe: (topic, onMessage) => timed("bus.subscribe", () => b.subscribe(topic, onMessage)),
  };
  if (l === undefined) return { sessions, events, bus };
  return {
    sessions,
    events,
    bus,
    limits: { take: (key, bucket) => timed("limits.take", () => l.take(key, bucket)) },
  };
}
