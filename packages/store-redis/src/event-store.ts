import type { EventStore, JsonValue, StoredEvent } from "@portico/core";
import { assertStreamId, splitEventId, toJsonText } from "@portico/core";
import type { CommandOptions } from "./_commands.ts";
import { Commands } from "./_commands.ts";
import { randomToken, ttlArgument } from "./_json.ts";
import { APPEND, READ, REPLAY } from "./_scripts.ts";
import type { RedisClientLike, RedisReply } from "./connection.ts";

/** Options for {@link RedisEventStore}. */
export interface RedisEventStoreOptions extends CommandOptions {
  /** Prepended to every key. Default `"portico:"`. */
  keyPrefix?: string;
  /** How long a session's events are kept after its last append. Default 24 hours. */
  eventTtlMs?: number;
  /**
   * Events kept per stream (older ones are trimmed, approximately: Redis trims whole blocks, so a
   * few more may stay). Replaying after a trimmed id reads as an unknown id. Default 10 000; 0
   * keeps everything until the ttl.
   */
  maxEventsPerStream?: number;
}

/** The part of an event id after its last `/`: `<session tag>-<sequence number>`. */
const POSITION = /^([0-9a-f]{10})-([1-9][0-9]{0,15})$/;

/**
 * {@link EventStore} on Redis Streams. Per session (`{<sessionId>}` is the hash tag, so a
 * session's keys live in one Cluster slot):
 *
 * - `<prefix>e:{<sessionId>}:n` — a hash: `n`, the last sequence number, and `t`, a random tag;
 * - `<prefix>e:{<sessionId>}:s:<streamId>` — one Redis Stream per stream, entry ids `<n>-0`,
 *   the message as JSON in field `m`, the append's random token in field `k`;
 * - `<prefix>e:{<sessionId>}:streams` — the set of the session's stream ids (for `trim`).
 *
 * `append` is one Lua script: take the next number, add the entry, refresh every key's expiry.
 * Event ids are `<streamId>/<tag>-<n>`, split at the last `/` like the memory store's: unique
 * within the session (the counter outlives trims), ordered within a stream and across the
 * session, naming their stream, visible ASCII, and unknown to every other session (the tag).
 * `replay` is one script too: check the tag and that the entry still exists, then XRANGE.
 * Each append carries a random token and the script recognises it among the stream's last 16
 * entries, so an append whose answer was lost is retried without being stored twice (Portico
 * appends to one stream one event at a time, well inside that window).
 */
export class RedisEventStore implements EventStore {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #ttl: string;
  readonly #maxLen: string;

  constructor(client: RedisClientLike, options: RedisEventStoreOptions = {}) {
    this.#commands = new Commands(client, options);
    this.#prefix = `${options.keyPrefix ?? "portico:"}e:`;
    this.#ttl = ttlArgument(options.eventTtlMs ?? 24 * 60 * 60 * 1000, "eventTtlMs");
    const maxLen = options.maxEventsPerStream ?? 10_000;
    if (!Number.isSafeInteger(maxLen) || maxLen < 0) {
      throw new RangeError(`maxEventsPerStream must be a non-negative integer, got ${maxLen}`);
    }
    this.#maxLen = String(maxLen);
  }

  async append(sessionId: string, streamId: string, message: JsonValue): Promise<string> {
    assertStreamId(streamId);
    const json = toJsonText(message, "an event message");
    const session = this.#session(sessionId);
    const keys = [`${session}:n`, `${session}:s:${streamId}`, `${session}:streams`];
    const args = [randomToken(5), streamId, json, this.#ttl, this.#maxLen, randomToken(8)];
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
    if (streamId !== undefined) {
      // The stream id stays in the set; deleting a key that is gone costs nothing.
      await this.#commands.run(["DEL", `${session}:s:${streamId}`], "idempotent");
      return;
    }
    const streams = await this.#commands.eval(READ, [`${session}:streams`], ["SMEMBERS"], "idempotent");
    const keys = (Array.isArray(streams) ? streams : []).map((id) => `${session}:s:${String(id)}`);
    // The counter stays (until its expiry), so no id is ever handed out twice.
    await this.#commands.run(["DEL", `${session}:streams`, ...keys], "idempotent");
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
