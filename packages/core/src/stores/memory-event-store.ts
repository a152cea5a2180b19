import { assertStreamId, splitEventId } from "./event-id.ts";
import type { EventStore, JsonValue, StoredEvent } from "./types.ts";

/** Options for {@link MemoryEventStore}. */
export interface MemoryEventStoreOptions {
  /**
   * Most events kept per session, across all its streams. When an append goes over the bound,
   * the session's oldest events are evicted first; replaying after an evicted id reads as an
   * unknown id. Unbounded when omitted.
   */
  maxEventsPerSession?: number;
  /**
   * Most bytes (as JSON text) of events kept per session; older events are evicted first, as for
   * `maxEventsPerSession` (the newest event is always kept). Default 8 MB.
   */
  maxBytesPerSession?: number;
  /**
   * A session's log untouched (no append, no replay) for this long is dropped: the log of a session
   * that expired, or was abandoned without DELETE. Default 2 hours (twice the default session life).
   */
  idleSessionMs?: number;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/** How often (in clock milliseconds) an append also drops idle session logs. */
const SWEEP_INTERVAL_MS = 60_000;

interface Entry {
  seq: number;
  id: string;
  message: JsonValue;
  /** Size as JSON text. */
  bytes: number;
}

interface SessionLog {
  /** Each stream's live events, in append order (ascending `seq`). */
  streams: Map<string, Entry[]>;
  /** One stream id per live event of the session, oldest first: the eviction queue. */
  order: string[];
  /** Total size of the live events. */
  bytes: number;
  /** Last append or replay (clock ms). */
  touched: number;
}

const SEQ = /^[1-9][0-9]*$/;

/**
 * {@link EventStore} in process memory.
 *
 * Event ids have the form `<streamId>/<seq>`. `streamId` is opaque: any non-empty string of
 * visible ASCII (0x21–0x7E), `/` included — the id is split at its last `/`, and `seq` is a
 * decimal integer from one counter shared by the whole store. So ids are unique (never reused,
 * not even after a trim), ordered within a stream and across the session, name their stream,
 * and are safe in an SSE `id:` field and a `Last-Event-ID` header. Messages are copied with
 * `structuredClone` on append and on replay.
 */
export class MemoryEventStore implements EventStore {
  readonly #sessions = new Map<string, SessionLog>();
  readonly #maxEventsPerSession: number;
  readonly #maxBytesPerSession: number;
  readonly #idleSessionMs: number;
  readonly #now: () => number;
  #lastSweep: number;
  #seq = 0;

  constructor(options: MemoryEventStoreOptions = {}) {
    const max = options.maxEventsPerSession ?? Number.POSITIVE_INFINITY;
    if (!(max >= 1) || (Number.isFinite(max) && !Number.isInteger(max))) {
      throw new RangeError(`maxEventsPerSession must be a positive integer, got ${max}`);
    }
    this.#maxEventsPerSession = max;
    this.#maxBytesPerSession = options.maxBytesPerSession ?? 8 * 1024 * 1024;
    this.#idleSessionMs = options.idleSessionMs ?? 2 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
    this.#lastSweep = this.#now();
  }

  async append(sessionId: string, streamId: string, message: JsonValue): Promise<string> {
    assertStreamId(streamId);
    const copy = structuredClone(message);
    const bytes = JSON.stringify(message)?.length ?? 4;
    const now = this.#now();
    this.#sweep(now);
    let log = this.#sessions.get(sessionId);
    if (!log) {
      log = { streams: new Map(), order: [], bytes: 0, touched: now };
      this.#sessions.set(sessionId, log);
    }
    log.touched = now;
    let stream = log.streams.get(streamId);
    if (!stream) {
      stream = [];
      log.streams.set(streamId, stream);
    }
    const seq = ++this.#seq;
    const id = `${streamId}/${seq}`;
    stream.push({ seq, id, message: copy, bytes });
    log.order.push(streamId);
    log.bytes += bytes;
    while (
      log.order.length > this.#maxEventsPerSession ||
      (log.bytes > this.#maxBytesPerSession && log.order.length > 1)
    )
      evictOldest(log);
    return id;
  }

  async replay(
    sessionId: string,
    lastEventId: string,
  ): Promise<{ streamId: string; events: StoredEvent[] } | undefined> {
    const parts = splitEventId(lastEventId);
    if (!parts || !SEQ.test(parts.position)) return undefined;
    const { streamId, position: seqText } = parts;
    const log = this.#sessions.get(sessionId);
    const stream = log?.streams.get(streamId);
    if (!log || !stream) return undefined;
    log.touched = this.#now();
    const index = indexOfSeq(stream, Number(seqText));
    if (index < 0) return undefined;
    const events = stream
      .slice(index + 1)
      .map((entry) => ({ id: entry.id, message: structuredClone(entry.message) }));
    return { streamId, events };
  }

  async trim(sessionId: string, streamId?: string): Promise<void> {
    if (streamId === undefined) {
      this.#sessions.delete(sessionId);
      return;
    }
    const log = this.#sessions.get(sessionId);
    const stream = log?.streams.get(streamId);
    if (!log || !stream) return;
    log.streams.delete(streamId);
    for (const entry of stream) log.bytes -= entry.bytes;
    log.order = log.order.filter((id) => id !== streamId);
    if (log.streams.size === 0) this.#sessions.delete(sessionId);
  }

  /** Drops the logs of sessions idle for `idleSessionMs`, at most once a minute. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [id, log] of this.#sessions)
      if (now - log.touched > this.#idleSessionMs) this.#sessions.delete(id);
  }
}

function evictOldest(log: SessionLog): void {
  const streamId = log.order.shift();
  if (streamId === undefined) return;
  const stream = log.streams.get(streamId);
  if (!stream) return;
  const evicted = stream.shift();
  if (evicted !== undefined) log.bytes -= evicted.bytes;
  if (stream.length === 0) log.streams.delete(streamId);
}

/** Binary search for `seq` in a stream sorted by ascending `seq`; -1 when absent. */
function indexOfSeq(stream: Entry[], seq: number): number {
  let low = 0;
  let high = stream.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const entry = stream[mid]!;
    if (entry.seq === seq) return mid;
    if (entry.seq < seq) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}
