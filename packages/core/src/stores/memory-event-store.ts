import { assertStreamId, splitEventId } from "./event-id.ts";
import type { EventStore, JsonValue, StoredEvent } from "./types.ts";

/** Options for {@link MemoryEventStore}. */
export interface MemoryEventStoreOptions {
  /**
   * Most events kept per session, across all its streams. When an append goes over the bound,
   * the session's oldest events are evicted first; replaying after an evicted id reads as an
   * unknown id. Default 10,000; `Infinity` leaves only `maxBytesPerSession`.
   */
  maxEventsPerSession?: number;
  /**
   * Most bytes of events kept per session, each event counted as its message's JSON text plus a
   * fixed 128 bytes for what it costs besides (its entry and places, measured); older events are
   * evicted first, as for `maxEventsPerSession` (the newest event is always kept). Default 8 MB.
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

/**
 * What one event costs in memory besides its message, charged to `maxBytesPerSession` on top of
 * the message's JSON text: the entry, its place in its stream and in the session's eviction queue.
 * Measured on Node 24 (64-bit), message aside: about 70 bytes for an event of a stream that has
 * others, about 400 for one that opens a stream (a legacy GET's priming event, whose message is
 * `null`); the event count (`maxEventsPerSession`) bounds the latter: 10,000 of them are ~4 MB.
 */
export const EVENT_OVERHEAD_BYTES = 128;

/** Default `maxEventsPerSession`. */
export const DEFAULT_MAX_EVENTS_PER_SESSION = 10_000;

/** How often (in clock milliseconds) an append also drops idle session logs. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * A first-in first-out queue over an array: taking from the front moves a head index, and the
 * array sheds its taken slots once they are half of it, so each take is amortised O(1) (`Array#shift`
 * moves every remaining item).
 */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The item `index` places after the front one (0: the front). */
  at(index: number): T {
    return this.#items[this.#head + index] as T;
  }

  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 32 && this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Keeps only the items `keep` accepts. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i] as T;
      if (keep(item)) kept.push(item);
    }
    this.#items = kept;
    this.#head = 0;
  }
}

interface Entry {
  seq: number;
  message: JsonValue;
  /** What it is charged: its size as JSON text, plus `EVENT_OVERHEAD_BYTES`. */
  bytes: number;
}

interface Stream {
  id: string;
  /** The live events, in append order (ascending `seq`). */
  entries: Fifo<Entry>;
  /** Trimmed: its places left in the eviction queue count for nothing. */
  trimmed: boolean;
}

interface SessionLog {
  streams: Map<string, Stream>;
  /**
   * The eviction queue: the stream of each event of the session, oldest first. A trimmed stream's
   * places stay until they reach the front or the queue is compacted (`stale` of them).
   */
  order: Fifo<Stream>;
  /** Live events (not trimmed, not evicted). */
  events: number;
  /** Places in `order` of trimmed streams. */
  stale: number;
  /** What the live events are charged. */
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
 * and are safe in an SSE `id:` field and a `Last-Event-ID` header. Messages (objects and arrays)
 * are copied with `structuredClone` on append and on replay.
 *
 * A session's log is bounded by `maxEventsPerSession` (10,000) and `maxBytesPerSession` (8 MB,
 * with 128 bytes charged per event besides its JSON text); evicting its oldest event is amortised O(1),
 * and a replay copies only the events it returns.
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
    const max = options.maxEventsPerSession ?? DEFAULT_MAX_EVENTS_PER_SESSION;
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
    const copy = copyOf(message);
    const bytes = (JSON.stringify(message)?.length ?? 4) + EVENT_OVERHEAD_BYTES;
    const now = this.#now();
    this.#sweep(now);
    let log = this.#sessions.get(sessionId);
    if (!log) {
      log = { streams: new Map(), order: new Fifo(), events: 0, stale: 0, bytes: 0, touched: now };
      this.#sessions.set(sessionId, log);
    }
    log.touched = now;
    let stream = log.streams.get(streamId);
    if (!stream) {
      stream = { id: streamId, entries: new Fifo(), trimmed: false };
      log.streams.set(streamId, stream);
    }
    const seq = ++this.#seq;
    stream.entries.push({ seq, message: copy, bytes });
    log.order.push(stream);
    log.events++;
    log.bytes += bytes;
    while (log.events > this.#maxEventsPerSession || (log.bytes > this.#maxBytesPerSession && log.events > 1))
      evictOldest(log);
    return `${streamId}/${seq}`;
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
    const entries = stream.entries;
    const index = indexOfSeq(entries, Number(seqText));
    if (index < 0) return undefined;
    // Straight from the stream (no intermediate copy): at most what the bounds keep.
    const events: StoredEvent[] = [];
    for (let i = index + 1; i < entries.length; i++) {
      const entry = entries.at(i);
      events.push({ id: `${streamId}/${entry.seq}`, message: copyOf(entry.message) });
    }
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
    if (log.streams.size === 0) {
      this.#sessions.delete(sessionId);
      return;
    }
    const { entries } = stream;
    for (let i = 0; i < entries.length; i++) log.bytes -= entries.at(i).bytes;
    log.events -= entries.length;
    log.stale += entries.length;
    stream.trimmed = true;
    stream.entries = new Fifo();
    // Compacted once the trimmed places outnumber the live ones: amortised O(1) per trimmed event.
    if (log.stale > log.events) {
      log.order.retain((s) => !s.trimmed);
      log.stale = 0;
    }
  }

  /** Drops the logs of sessions idle for `idleSessionMs`, at most once a minute. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) return;
    this.#lastSweep = now;
    for (const [id, log] of this.#sessions)
      if (now - log.touched > this.#idleSessionMs) this.#sessions.delete(id);
  }
}

/** A copy of `message` no caller can change the store through (a primitive is its own copy). */
const copyOf = (message: JsonValue): JsonValue =>
  typeof message === "object" && message !== null ? structuredClone(message) : message;

/** Evicts the session's oldest live event (skipping the places of trimmed streams). */
function evictOldest(log: SessionLog): void {
  for (;;) {
    const stream = log.order.shift();
    if (stream === undefined) return;
    if (stream.trimmed) {
      log.stale--;
      continue;
    }
    const evicted = stream.entries.shift();
    if (evicted !== undefined) {
      log.bytes -= evicted.bytes;
      log.events--;
    }
    if (stream.entries.length === 0) log.streams.delete(stream.id);
    return;
  }
}

/** Binary search for `seq` in entries sorted by ascending `seq`; -1 when absent. */
function indexOfSeq(entries: Fifo<Entry>, seq: number): number {
  let low = 0;
  let high = entries.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const entry = entries.at(mid);
    if (entry.seq === seq) return mid;
    if (entry.seq < seq) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}
