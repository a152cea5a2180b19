import {
  assertStreamId,
  checkTimerMs,
  type EventStore,
  type JsonValue,
  type StoredEvent,
  toJsonText,
} from "@portico/core";
import { DEFAULT_MAX_BYTES_PER_SESSION } from "./_events.ts";
import { objectForSession } from "./_routing.ts";
import { callObject, objectNamed, type SessionObjectNamespace } from "./_stub.ts";

/** Options for {@link DurableObjectEventStore}. */
export interface DurableObjectEventStoreOptions {
  /**
   * How long an event is kept after it was appended (its session's `DELETE` trims it earlier). Default
   * 24 h; 1 to 2^31−1 ms (about 24.8 days, the bound of every duration of this package), else the
   * constructor throws a `RangeError`.
   */
  eventTtlMs?: number;
  /**
   * Most bytes of events kept per session, across all its streams, measured as the UTF-8 length of
   * each event's JSON text. When an append goes over it, the session's oldest events are evicted
   * first (down to about 3/4 of the bound, to evict in batches; the newest event is always kept,
   * even one larger than the bound); replaying after an evicted id reads as an unknown id, as after
   * a trim. A positive integer; default 8 MB (8 * 1024 * 1024), as the in-memory store. This bounds
   * the event storage of one session object (plus SQLite's per-row overhead).
   */
  maxBytesPerSession?: number;
}

/**
 * {@link EventStore} in the session's object: one SQLite row per event. Ids are
 * `<streamId>/<tag>-<seq>`, split at the last `/`: `seq` comes from one counter per object (it
 * survives `trim`), `tag` is random per object storage, so ids are unique within the session,
 * ordered within the stream and across it, name their stream, and never match in another session.
 * A session's log is bounded by `maxBytesPerSession`; an append, eviction included, is one call on
 * the object.
 */
export class DurableObjectEventStore implements EventStore {
  readonly #namespace: SessionObjectNamespace;
  readonly #ttlMs: number;
  readonly #maxBytesPerSession: number;

  constructor(namespace: SessionObjectNamespace, options: DurableObjectEventStoreOptions = {}) {
    this.#namespace = namespace;
    this.#ttlMs = options.eventTtlMs ?? 24 * 60 * 60 * 1000;
    // The expiry is compared with the clock and set as the object's alarm: a finite number of ms.
    checkTimerMs("eventTtlMs", this.#ttlMs, 1);
    const maxBytes = options.maxBytesPerSession ?? DEFAULT_MAX_BYTES_PER_SESSION;
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new RangeError(`maxBytesPerSession must be a positive integer number of bytes, got ${maxBytes}`);
    }
    this.#maxBytesPerSession = maxBytes;
  }

  async append(sessionId: string, streamId: string, message: JsonValue): Promise<string> {
    assertStreamId(streamId);
    const text = toJsonText(message, "an event message");
    return callObject("append", false, () =>
      this.#object(sessionId).appendEvent(sessionId, streamId, text, this.#ttlMs, this.#maxBytesPerSession),
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
