import type { EventStore, JsonValue, StoredEvent } from "@portico/core";
import { assertStreamId, isStreamId, StoreUnavailableError, splitEventId, toJsonText } from "@portico/core";
import type { Item, ItemContext } from "./_items.ts";
import {
  decodeJson,
  key,
  N,
  names,
  num,
  randomHex,
  S,
  str,
  ttlAttribute,
  ttlExpired,
  ttlValue,
} from "./_items.ts";
import { queryAll } from "./_query.ts";
import { sleep } from "./_retry.ts";
import type { DynamoDbClient } from "./client.ts";
import { SORT_KEY } from "./table.ts";

/** Options for {@link DynamoDbEventStore}. */
export interface DynamoDbEventStoreOptions {
  tableName: string;
  /** Prepended to every partition key. Default `""`. */
  keyPrefix?: string;
  /** How long events are kept after their append. Default 24 hours. */
  eventTtlMs?: number;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

// Stream ids are visible ASCII (core's `isStreamId`), so a space can separate key parts.
/** The part after the last `/` of an event id: `<session tag>-<seq>`. */
const POSITION = /^([0-9a-f]{10})-([1-9][0-9]{0,15})$/;
/** Sequence numbers are zero-padded in sort keys so that text order is numeric order. */
const SEQ_WIDTH = 16;
/** Sort key of the session's counter item. Event sort keys start with `e `. */
const COUNTER_SK = "n";
/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;

/**
 * {@link EventStore} on DynamoDB. A session is one partition (`<prefix>e#<sessionId>`): a counter
 * item (`n`: next sequence number plus a random session tag) and one item per event with sort key
 * `e <streamId> <seq, 16 digits>` holding the message as a JSON string. `append` takes the next
 * number from the counter (one atomic UpdateItem ADD), then writes the event.
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
 */
export class DynamoDbEventStore implements EventStore {
  readonly #client: DynamoDbClient;
  readonly #context: ItemContext;
  readonly #ttlMs: number;

  constructor(client: DynamoDbClient, options: DynamoDbEventStoreOptions) {
    this.#client = client;
    this.#context = {
      tableName: options.tableName,
      keyPrefix: options.keyPrefix ?? "",
      now: options.now ?? Date.now,
    };
    this.#ttlMs = options.eventTtlMs ?? 24 * 60 * 60 * 1000;
    if (!(this.#ttlMs > 0)) throw new RangeError(`eventTtlMs must be positive, got ${this.#ttlMs}`);
  }

  async append(sessionId: string, streamId: string, message: JsonValue): Promise<string> {
    assertStreamId(streamId);
    const json = toJsonText(message, "an event message");
    const expiresAt = this.#context.now() + this.#ttlMs;
    const { Attributes = {} } = await this.#client.send<{ Attributes?: Record<string, unknown> }>(
      "UpdateItem",
      {
        TableName: this.#context.tableName,
        Key: key(this.#pk(sessionId), COUNTER_SK),
        UpdateExpression: "SET #ttl = :ttl, #tag = if_not_exists(#tag, :tag) ADD #seq :one",
        ExpressionAttributeNames: names("seq", "ttl", "tag"),
        ExpressionAttributeValues: { ":one": N(1), ":ttl": ttlValue(expiresAt), ":tag": S(randomHex(5)) },
        ReturnValues: "ALL_NEW",
      },
    );
    const seq = num(Attributes, "seq");
    const tag = str(Attributes, "tag");
    if (seq === undefined || !Number.isSafeInteger(seq) || tag === undefined) {
      throw new TypeError("the event counter answered without a sequence number and tag");
    }
    const item: Item = {
      ...key(this.#pk(sessionId), eventSk(streamId, seq)),
      tag: S(tag),
      msg: S(json),
      ...ttlAttribute(expiresAt),
    };
    await this.#client.send("PutItem", { TableName: this.#context.tableName, Item: item });
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
    if (streamId !== undefined && !isStreamId(streamId)) return;
    const keys = await queryAll(this.#client, {
      TableName: this.#context.tableName,
      KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
      ExpressionAttributeNames: names("pk", "sk"),
      ExpressionAttributeValues: {
        ":pk": S(this.#pk(sessionId)),
        ":prefix": S(streamId === undefined ? "e " : `e ${streamId} `),
      },
      ProjectionExpression: "#pk, #sk",
      ConsistentRead: true,
    });
    // The counter item stays (until its TTL), so ids are never handed out twice.
    for (let i = 0; i < keys.length; i += BATCH) await this.#deleteBatch(keys.slice(i, i + BATCH));
  }

  #pk(sessionId: string): string {
    return `${this.#context.keyPrefix}e#${sessionId}`;
  }

  /** BatchWriteItem deletes, re-sending what DynamoDB leaves unprocessed under load. */
  async #deleteBatch(keys: Record<string, unknown>[]): Promise<void> {
    let requests: unknown[] = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round === 8) {
        throw new StoreUnavailableError(`DynamoDB left ${requests.length} deletes unprocessed`);
      }
      if (round > 0) await sleep(Math.min(1_000, 25 * 2 ** round) * Math.random());
      const { UnprocessedItems } = await this.#client.send<{ UnprocessedItems?: Record<string, unknown[]> }>(
        "BatchWriteItem",
        { RequestItems: { [this.#context.tableName]: requests } },
      );
      requests = UnprocessedItems?.[this.#context.tableName] ?? [];
    }
  }
}

function eventSk(streamId: string, seq: number): string {
  return `e ${streamId} ${String(seq).padStart(SEQ_WIDTH, "0")}`;
}
