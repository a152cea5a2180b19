import type { EventStore, JsonValue, StoredEvent } from "@portico/core";
import { assertStreamId, isStreamId, StoreUnavailableError, splitEventId, toJsonText } from "@portico/core";
import { checkTimerMs } from "@portico/host";
import type { CounterRef } from "./_event-counter.ts";
import {
  checkMaxBytes,
  DEFAULT_MAX_BYTES_PER_SESSION,
  EVENT_LENGTH,
  setTotal,
  subtractTotal,
  takeNumber,
} from "./_event-counter.ts";
import { deleteKeys, evict } from "./_evict.ts";
import type { Item, ItemContext } from "./_items.ts";
import { decodeJson, key, N, names, num, S, str, ttlAttribute, ttlExpired } from "./_items.ts";
import { queryAll } from "./_query.ts";
import type { DynamoDbClient } from "./client.ts";
import { DynamoDbError } from "./errors.ts";
import { SORT_KEY } from "./table.ts";

/** Options for {@link DynamoDbEventStore}. */
export interface DynamoDbEventStoreOptions {
  tableName: string;
  /** Prepended to every partition key. Default `""`. */
  keyPrefix?: string;
  /**
   * How long events are kept after their append. Default 24 hours; 1 to 2^31−1 ms (about 24.8 days,
   * the bound of every duration of this package), else the constructor throws a `RangeError`.
   */
  eventTtlMs?: number;
  /**
   * Most bytes (as JSON text) of events kept per session, across all its streams. When an append
   * goes over it, the session's oldest events are evicted first, down to 3/4 of the bound (but
   * below half of it only when that takes one event: the newest event is always kept, even one
   * larger than the bound), and replaying after an evicted id reads as an unknown id. A positive integer;
   * default 8 MB (8 * 1024 * 1024), as the memory store's. The table then holds up to about this
   * much per live session (plus each item's key overhead, and the events of expired sessions until
   * DynamoDB's TTL deletes them). Appends under the bound cost nothing extra; the append that goes
   * over it reads the session's partition once (a Query of up to the bound) and deletes the
   * evicted events one by one: about once per quarter of the bound appended.
   */
  maxBytesPerSession?: number;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

// Stream ids are visible ASCII (core's `isStreamId`), so a space can separate key parts.
/** The part after the last `/` of an event id: `<session tag>-<seq>`. */
const POSITION = /^([0-9a-f]{10})-([1-9][0-9]{0,15})$/;
/** Sequence numbers are zero-padded in sort keys so that text order is numeric order. */
const SEQ_WIDTH = 16;
/**
 * DynamoDB's limit on a sort key value (and on a key condition's value), in UTF-8 bytes. Stream
 * ids are ASCII, so an event's sort key `e <streamId> <seq>` is `streamId.length + 19` bytes.
 */
const MAX_SORT_KEY_BYTES = 1024;

/**
 * {@link EventStore} on DynamoDB. A session is one partition (`<prefix>e#<sessionId>`): a counter
 * item (`n`: next sequence number, a random session tag and the running byte total of the
 * session's events) and one item per event with sort key `e <streamId> <seq, 16 digits>` holding
 * the message as a JSON string and its size. `append` takes the next number from the counter and
 * adds the event's size to the total (one atomic UpdateItem ADD, which answers both), then writes
 * the event: two calls. Only when the answered total is over `maxBytesPerSession` does it evict
 * the session's oldest events (a Query of the partition, a DeleteItem per evicted event and an
 * UpdateItem re-synchronising the total from what the Query found; see `_evict.ts`).
 *
 * Event ids are `<streamId>/<tag>-<seq>`, split at the last `/` like the memory store's: unique
 * (the counter survives trims; a counter recreated after its TTL gets a new tag), ordered within
 * a stream and across the session by `seq`, naming their stream, visible ASCII, and never valid
 * in another session (the tag is random per session). `replay` is one strongly consistent Query
 * over the stream's sort-key range; expired items (TTL deletion is lazy) are skipped.
 *
 * Concurrent appends to one stream get their numbers in one order but may become visible out of
 * it for a moment; a replay that runs in between can miss the slower one. Portico appends to a
 * stream from one request at a time, so this does not arise there.
 *
 * The byte total is approximate in a few races, each erring by at most the events involved and
 * mended by the next eviction's re-sync when it errs high: an append whose event is not yet visible
 * when a concurrent eviction queries the partition may be left out of the re-synced total; two
 * evictions (or an eviction and a trim) removing the same events at once may both count them off,
 * and a whole-session trim racing an append or an eviction may zero the total while an event stays
 * or is counted off after; a retried (network-ambiguous) counter update adds its event twice. Items
 * DynamoDB's TTL deletes are still counted until the next eviction re-syncs. An eviction that fails
 * for want of DynamoDB (`StoreUnavailableError`) does not fail the append, whose event is stored:
 * the total stays over the bound, so the next append tries again.
 */
export class DynamoDbEventStore implements EventStore {
  readonly #client: DynamoDbClient;
  readonly #context: ItemContext;
  readonly #ttlMs: number;
  readonly #maxBytes: number;

  constructor(client: DynamoDbClient, options: DynamoDbEventStoreOptions) {
    this.#client = client;
    this.#context = {
      tableName: options.tableName,
      keyPrefix: options.keyPrefix ?? "",
      now: options.now ?? Date.now,
    };
    this.#ttlMs = options.eventTtlMs ?? 24 * 60 * 60 * 1000;
    // A finite number of ms: the expiry is written as a TTL attribute and compared with the clock.
    checkTimerMs("eventTtlMs", this.#ttlMs, 1);
    this.#maxBytes = checkMaxBytes(options.maxBytesPerSession ?? DEFAULT_MAX_BYTES_PER_SESSION);
  }

  async append(sessionId: string, streamId: string, message: JsonValue): Promise<string> {
    assertStreamId(streamId);
    const json = toJsonText(message, "an event message");
    const bytes = json.length;
    const now = this.#context.now();
    const expiresAt = now + this.#ttlMs;
    const counter = this.#counter(sessionId);
    const { seq, tag, total } = await takeNumber(counter, bytes, now, expiresAt);
    const item: Item = {
      ...key(counter.pk, eventSk(streamId, seq)),
      tag: S(tag),
      msg: S(json),
      [EVENT_LENGTH]: N(bytes),
      ...ttlAttribute(expiresAt),
    };
    try {
      await this.#client.send("PutItem", { TableName: this.#context.tableName, Item: item });
    } catch (error) {
      // Refused for good (an item over 400 KB, a key too long): not stored, so not counted.
      if (error instanceof DynamoDbError) await subtractTotal(counter, bytes).catch(() => {});
      throw error;
    }
    if (total > this.#maxBytes) {
      try {
        await evict({ ...counter, now, maxBytes: this.#maxBytes, ownSeq: seq, seenTotal: total });
      } catch (error) {
        // The event is stored; the total stays over the bound, so the next append evicts.
        if (!(error instanceof StoreUnavailableError)) throw error;
      }
    }
    return `${streamId}/${tag}-${seq}`;
  }

  async replay(
    sessionId: string,
    lastEventId: string,
  ): Promise<{ streamId: string; events: StoredEvent[] } | undefined> {
    const parts = splitEventId(lastEventId);
    const position = parts && POSITION.exec(parts.position);
    if (!parts || !position) return undefined;
    const { streamId } = parts;
    // No event of this stream can exist, and DynamoDB would refuse the query (a client's id).
    if (!fitsSortKey(streamId)) return undefined;
    const [, tag, seqText] = position;
    const from = eventSk(streamId, Number(seqText));
    const items = await queryAll(this.#client, {
      TableName: this.#context.tableName,
      KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
      ExpressionAttributeNames: names("pk", "sk"),
      ExpressionAttributeValues: {
        ":pk": S(this.#pk(sessionId)),
        ":from": S(from),
        // Digits sort below "~", so this bounds exactly the stream's events from `from` on.
        ":to": S(`e ${streamId} ~`),
      },
      ConsistentRead: true,
    });
    const now = this.#context.now();
    const [first, ...rest] = items;
    if (!first || str(first, SORT_KEY) !== from || str(first, "tag") !== tag || ttlExpired(first, now)) {
      return undefined;
    }
    const events: StoredEvent[] = [];
    for (const item of rest) {
      if (ttlExpired(item, now)) continue;
      const sk = str(item, SORT_KEY)!;
      const seq = Number(sk.slice(sk.lastIndexOf(" ") + 1));
      events.push({ id: `${streamId}/${str(item, "tag")}-${seq}`, message: decodeJson(str(item, "msg")) });
    }
    return { streamId, events };
  }

  async trim(sessionId: string, streamId?: string): Promise<void> {
    if (streamId !== undefined && !(isStreamId(streamId) && fitsSortKey(streamId))) return;
    const counter = this.#counter(sessionId);
    // A whole-session trim starts the byte total from zero.
    if (streamId === undefined) await setTotal(counter, 0);
    const found = await queryAll(this.#client, {
      TableName: this.#context.tableName,
      KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
      ExpressionAttributeNames: names("pk", "sk", EVENT_LENGTH, "ttl"),
      ExpressionAttributeValues: {
        ":pk": S(counter.pk),
        ":prefix": S(streamId === undefined ? "e " : `e ${streamId} `),
      },
      ProjectionExpression: `#sk, #${EVENT_LENGTH}, #ttl`,
      ConsistentRead: true,
    });
    // The counter item stays (until its TTL), so ids are never handed out twice.
    const keys = found.map((item) => key(counter.pk, str(item, SORT_KEY) as string));
    await deleteKeys(this.#client, counter.tableName, keys);
    if (streamId === undefined) return;
    // One stream: its unexpired events leave the total (expired ones may not be in it any more).
    const now = this.#context.now();
    let bytes = 0;
    for (const item of found) if (!ttlExpired(item, now)) bytes += num(item, EVENT_LENGTH) ?? 0;
    await subtractTotal(counter, bytes);
  }

  #counter(sessionId: string): CounterRef {
    return { client: this.#client, tableName: this.#context.tableName, pk: this.#pk(sessionId) };
  }

  #pk(sessionId: string): string {
    return `${this.#context.keyPrefix}e#${sessionId}`;
  }
}

/** Whether the sort keys of `streamId`'s events (ASCII, see `isStreamId`) are within DynamoDB's limit. */
function fitsSortKey(streamId: string): boolean {
  return streamId.length + SEQ_WIDTH + 3 <= MAX_SORT_KEY_BYTES;
}

function eventSk(streamId: string, seq: number): string {
  return `e ${streamId} ${String(seq).padStart(SEQ_WIDTH, "0")}`;
}
