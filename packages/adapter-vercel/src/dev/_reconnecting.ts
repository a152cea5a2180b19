/**
 * Stores that find their dev daemon again when it is gone: a call that fails with
 * `store_unavailable` asks `connect` for the stores once more (which starts a new daemon if
 * needed) and is retried there once. Matters for a process that outlives its daemon (an idle
 * timeout under vercel dev's long-lived Node.js server mode); a fresh process per request meets a
 * live daemon anyway.
 */
import type { Bus, EventStore, RateLimitStore, SessionStore, Stores } from "@portico/core";

const unavailable = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === "store_unavailable";

export function reconnecting(connect: () => Stores): Stores {
  let current = connect();
  async function run<T>(op: (stores: Stores) => Promise<T>): Promise<T> {
    const used = current;
    try {
      return await op(used);
    } catch (error) {
      if (!unavailable(error)) throw error;
      if (current === used) current = connect();
      return await op(current);
    }
  }
  const sessions: SessionStore = {
    get: (key) => run((s) => s.sessions.get(key)),
    create: (key, value, ttlMs) => run((s) => s.sessions.create(key, value, ttlMs)),
    update: (key, version, value, ttlMs) => run((s) => s.sessions.update(key, version, value, ttlMs)),
    delete: (key) => run((s) => s.sessions.delete(key)),
  };
  const events: EventStore = {
    append: (sessionId, streamId, message) => run((s) => s.events.append(sessionId, streamId, message)),
    replay: (sessionId, lastEventId) => run((s) => s.events.replay(sessionId, lastEventId)),
    trim: (sessionId, streamId) => run((s) => s.events.trim(sessionId, streamId)),
  };
  const bus: Bus = {
    publish: (topic, message) => run((s) => s.bus.publish(topic, message)),
    subscribe: (topic, onMessage) => run((s) => s.bus.subscribe(topic, onMessage)),
  };
  const limits: RateLimitStore = {
    take: (key, bucket) => run((s) => (s.limits as RateLimitStore).take(key, bucket)),
  };
  return { sessions, events, bus, limits };
}
