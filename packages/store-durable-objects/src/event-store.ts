import { assertStreamId, type EventStore, type JsonValue, type StoredEvent, toJsonText } from "@portico/core";
import { objectForSession } from "./_routing.ts";
import { callObject, objectNamed, type SessionObjectNamespace } from "./_stub.ts";

/** Options for {@link DurableObjectEventStore}. */
export interface DurableObjectEventStoreOptions {
  /** How long an event is kept after it was appended (its session's `DELETE` trims it earlier). Default 24 h. */
  eventTtlMs?: number;
}

/**
 * {@link EventStore} in the session's object: one SQLite row per event. Ids are
 * `<streamId>/<tag>-<seq>`, split at the last `/`: `seq` comes from one counter per object (it
 * survives `trim`), `tag` is random per object storage, so ids are unique within the session,
 * ordered within the stream and across it, name their stream, and never match in another session.
 */
export class DurableObjectEventStore implements EventStore {
  readonly #namespace: SessionObjectNamespace;
  readonly #ttlMs: number;

  constructor(namespace: SessionObjectNamespace, options: DurableObjectEventStoreOptions = {}) {
    this.#namespace = namespace;
    this.#ttlMs = options.eventTtlMs ?? 24 * 60 * 60 * 1000;
    if (!(this.#ttlMs > 0)) throw new RangeError(`eventTtlMs must be positive, got ${this.#ttlMs}`);
  }

  async append(sessionId: string, streamId: string, message: JsonValue): Promise<string> {
    assertStreamId(streamId);
    const text = toJsonText(message, "an event message");
    return callObject("append", false, () =>
      this.#object(sessionId).appendEvent(sessionId, streamId, text, this.#ttlMs),
    );
  }

  async replay(
    sessionId: string,
    lastEventId: string,
  ): Promise<{ streamId: string; events: StoredEvent[] } | undefined> {
    const rows = await callObject("replay", true, () =>
      this.#object(sessionId).replayEvents(sessionId, lastEventId),
    );
    if (rows === null) return undefined;
    return {
      streamId: rows.streamId,
      events: rows.events.map((event) => ({ id: event.id, message: JSON.parse(event.message) as JsonValue })),
    };
  }

  async trim(sessionId: string, streamId?: string): Promise<void> {
    await callObject("trim", true, () => this.#object(sessionId).trimEvents(sessionId, streamId));
  }

  #object(sessionId: string) {
    return objectNamed(this.#namespace, objectForSession(sessionId));
  }
}
