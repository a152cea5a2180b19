import type { EventStore, JsonValue, StoredEvent } from "@portico/core";
import { assertStreamId, StoreUnavailableError, splitEventId, toJsonText } from "@portico/core";
import type { CommandOptions } from "./_commands.ts";
import { Commands } from "./_commands.ts";
import { randomToken, ttlArgument } from "./_json.ts";
import { APPEND, REPLAY, TRIM_SESSION, TRIM_STREAM } from "./_scripts.ts";
import type { RedisClientLike, RedisReply } from "./connection.ts";

/** Options for {@link RedisEventStore}. */
export interface RedisEventStoreOptions extends CommandOptions {
  /** Prepended to every key. Default `"portico:"`. */
  keyPrefix?: string;
  /** How long a session's events are kept after its last append. Default 24 hours. */
  eventTtlMs?: number;
  /**
   * Events kept per stream; the oldest go first, inside the append script. Replaying after a
   * trimmed id reads as an unknown id. Default 10 000; 0 keeps everything until the ttl (or the
   * byte bound).
   */
  maxEventsPerStream?: number;
  /**
   * Most bytes of events kept per session, across all its streams, measured as the UTF-8 length
   * of each message's JSON text. When an append goes over it, the session's oldest events are
   * evicted first (the newest event is always kept, even alone over the bound), inside the append
   * script: no extra round trip. Replaying after an evicted id reads as an unknown id. Redis then
   * holds up to this much message text per session, plus about 150 bytes per event for the
   * stream entry and the ledger. Default 8 MB (`8 * 1024 * 1024`), like the memory store.
   */
  maxBytesPerSession?: number;
}

/** Rounds of `trim(session)` before giving up on a session whose streams keep changing. */
const TRIM_ROUNDS = 8;

/** The part of an event id after its last `/`: `<session tag>-<sequence number>`. */
const POSITION = /^([0-9a-f]{10})-([1-9][0-9]{0,15})$/;

/**
 * {@link EventStore} on Redis Streams. Per session (`{<sessionId>}` is the hash tag, so a
 * session's keys live in one Cluster slot):
 *
 * - `<prefix>e:{<sessionId>}:n` — a hash: `n`, the last sequence number, `t`, a random tag, and
 *   `b`, the bytes of the session's events (the sum over the ledger);
 * - `<prefix>e:{<sessionId>}:s:<streamId>` — one Redis Stream per stream, entry ids `<n>-0`,
 *   the message as JSON in field `m`, the append's random token in field `k`;
 * - `<prefix>e:{<sessionId>}:streams` — the set of the session's stream ids (for `trim`);
 * - `<prefix>e:{<sessionId>}:ledger` — a sorted set, one member `<n> <bytes> <streamId>` (score
 *   `n`) per stored event: the session's eviction queue for `maxBytesPerSession`.
 *
 * `append` is one Lua script: take the next number, add the entry and its ledger member, drop the
 * stream's events past `maxEventsPerStream` and then the session's oldest events while `b` is over
 * `maxBytesPerSession` (each with its ledger member and bytes, so `b` stays exact), refresh the
 * expiry of the four keys.
 * Event ids are `<streamId>/<tag>-<n>`, split at the last `/` like the memory store's: unique
 * within the session (the counter outlives trims), ordered within a stream and across the
 * session, naming their stream, visible ASCII, and unknown to every other session (the tag).
 * `replay` is one script too: check the tag and that the entry still exists, then XRANGE.
 * Each append carries a random token and the script recognises it among the stream's last 16
 * entries, so an append whose answer was lost is retried without being stored twice (Portico
 * appends to one stream one event at a time, well inside that window). A retried append that
 * finds its entry adds nothing and counts nothing; one whose entry was evicted meanwhile is stored
 * (and counted) anew, and only that copy is live.
 *
 * `trim(session, stream)` takes the stream's events out of the ledger and `b` (one script that
 * reads the stream in pages, so it costs time in proportion to the stream's size) and deletes it.
 * `trim(session)` deletes the streams, the set and the ledger and resets `b` in one script, which
 * first checks that it was given every stream the set names. The accounting is exact except for a
 * stream that expired on its own (no append for `eventTtlMs` while the session appended to other
 * streams): its events stay counted, an upper bound, until they are the session's oldest and are
 * evicted, so at most `maxBytesPerSession` is over-counted, and never for longer than that much
 * of newer appends.
 */
export class RedisEventStore implements EventStore {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #ttl: string;
  readonly #maxLen: string;
  readonly #maxBytes: string;

  constructor(client: RedisClientLike, options: RedisEventStoreOptions = {}) {
    this.#commands = new Commands(client, options);
    this.#prefix = `${options.keyPrefix ?? "portico:"}e:`;
    this.#ttl = ttlArgument(options.eventTtlMs ?? 24 * 60 * 60 * 1000, "eventTtlMs");
    const maxLen = options.maxEventsPerStream ?? 10_000;
    if (!Number.isSafeInteger(maxLen) || maxLen < 0) {
      throw new RangeError(`maxEventsPerStream must be a non-negative integer, got ${maxLen}`);
    }
    this.#maxLen = String(maxLen);
    const maxBytes = options.maxBytesPerSession ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
      throw new RangeError(`maxBytesPerSession must be a positive integer, got ${maxBytes}`);
    }
    this.#maxBytes = String(maxBytes);
  }

  async append(sessionId: string, streamId: string, message: JsonValue): Promise<string> {
    assertStreamId(streamId);
    const json = toJsonText(message, "an event message");
    const session = this.#session(sessionId);
    const keys = [`${session}:n`, `${session}:s:${streamId}`, `${session}:streams`, `${session}:ledger`];
    const args = [randomToken(5), streamId, json, this.#ttl, this.#maxLen, randomToken(8), this.#maxBytes];
    const reply = await this.#commands.eval(APPEND, keys, args, "idempotent");
    const [tag, entryId] = Array.isArray(reply) ? reply : [];
    if (typeof tag !== "string" || typeof entryId !== "string") {
      throw new TypeError(`the append script answered ${JSON.stringify(reply)}`);
    }
    return `${streamId}/${tag}-${sequenceOf(entryId)}`;
  }

  async replay(
    sessionId: string,
    lastEventId: string,
  ): Promise<{ streamId: string; events: StoredEvent[] } | undefined> {
    const parts = splitEventId(lastEventId);
    const position = parts && POSITION.exec(parts.position);
    if (!parts || !position) return undefined;
    const { streamId } = parts;
    const [, tag, seq] = position as unknown as [string, string, string];
    const session = this.#session(sessionId);
    const keys = [`${session}:n`, `${session}:s:${streamId}`];
    const reply = await this.#commands.eval(REPLAY, keys, [tag, `${seq}-0`], "idempotent");
    if (!Array.isArray(reply)) return undefined;
    const events = reply.slice(1).map((entry) => toEvent(streamId, tag, entry));
    return { streamId, events };
  }

  async trim(sessionId: string, streamId?: string): Promise<void> {
    const session = this.#session(sessionId);
    const common = [`${session}:n`];
    if (streamId !== undefined) {
      const keys = [...common, `${session}:s:${streamId}`, `${session}:streams`, `${session}:ledger`];
      await this.#commands.eval(TRIM_STREAM, keys, [streamId], "idempotent");
      return;
    }
    // The first round learns the session's streams (none for a session without events), the
    // next deletes them; one more whenever an append added a stream in between.
    let streams: string[] = [];
    for (let round = 0; round < TRIM_ROUNDS; round++) {
      const keys = [
        ...common,
        `${session}:streams`,
        `${session}:ledger`,
        ...streams.map((id) => `${session}:s:${id}`),
      ];
      const reply = await this.#commands.eval(TRIM_SESSION, keys, streams, "idempotent");
      if (!Array.isArray(reply) || reply.length === 0) return;
      streams = reply.map(String);
    }
    throw new StoreUnavailableError(`trim: the streams of session ${sessionId} kept changing`, {
      retryAfterSeconds: 1,
    });
  }

  #session(sessionId: string): string {
    return `${this.#prefix}{${sessionId}}`;
  }
}

/** `[entryId, ["m", json]]` → a stored event. */
function toEvent(streamId: string, tag: string, entry: RedisReply): StoredEvent {
  const [entryId, fields] = Array.isArray(entry) ? entry : [];
  const json = Array.isArray(fields) ? fields[1] : undefined;
  if (typeof entryId !== "string" || typeof json !== "string") {
    throw new TypeError(`unexpected stream entry ${JSON.stringify(entry)}`);
  }
  return { id: `${streamId}/${tag}-${sequenceOf(entryId)}`, message: JSON.parse(json) as JsonValue };
}

/** `"<n>-0"` → `"<n>"`. */
function sequenceOf(entryId: string): string {
  return entryId.slice(0, entryId.indexOf("-"));
}
