/**
 * The counter item of a session's event log (sort key `n`): the next sequence number (`seq`), the
 * random session tag (`tag`), the TTL, and the running byte total of the session's events (`tot`)
 * that bounds the log (`maxBytesPerSession`, see `_evict.ts`). Event items carry their own size
 * (`len`, the length of their JSON text); `tot` is the sum of `len` as appends and evictions saw it.
 */
import type { Item } from "./_items.ts";
import { key, N, names, num, randomHex, S, str, ttlValue } from "./_items.ts";
import type { DynamoDbClient } from "./client.ts";
import { isConditionalCheckFailed } from "./errors.ts";

/** Sort key of the session's counter item. Event sort keys start with `e `. */
export const COUNTER_SK = "n";
/** Counter item attribute: running total of the session's event sizes. */
export const COUNTER_TOTAL = "tot";
/** Event item attribute: size of the event (length of its JSON text). */
export const EVENT_LENGTH = "len";
/** Default `maxBytesPerSession`: 8 MB, as the memory store's. */
export const DEFAULT_MAX_BYTES_PER_SESSION = 8 * 1024 * 1024;

export function checkMaxBytes(max: number): number {
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(`maxBytesPerSession must be a positive integer number of bytes, got ${max}`);
  }
  return max;
}

/** Where a counter lives. */
export interface CounterRef {
  client: DynamoDbClient;
  tableName: string;
  pk: string;
}

/** What taking a number answers: the event's `seq`, the session tag, and `tot` with the event in it. */
export interface Taken {
  seq: number;
  tag: string;
  total: number;
}

/**
 * Takes the next sequence number and adds `bytes` to the total, in one UpdateItem (`ADD`) that
 * also renews the counter's TTL and answers all three. A counter past its TTL that DynamoDB has not
 * deleted yet would carry the total of expired events: the UpdateItem's condition refuses it, and a
 * second UpdateItem (only then) starts its total from `bytes` again, keeping `seq` and `tag` so ids
 * stay unique. A counter DynamoDB did delete is created again by `ADD`, its total from zero.
 */
export async function takeNumber(
  counter: CounterRef,
  bytes: number,
  nowMs: number,
  expiresAtMs: number,
): Promise<Taken> {
  const request = {
    TableName: counter.tableName,
    Key: key(counter.pk, COUNTER_SK),
    ExpressionAttributeNames: names("seq", "ttl", "tag", COUNTER_TOTAL),
    ExpressionAttributeValues: {
      ":one": N(1),
      ":bytes": N(bytes),
      ":ttl": ttlValue(expiresAtMs),
      ":tag": S(randomHex(5)),
      // Alive while ttl * 1000 >= now, i.e. (ttl being whole seconds) ttl >= ceil(now / 1000).
      ":now": N(Math.ceil(nowMs / 1000)),
    },
    ReturnValues: "ALL_NEW",
  };
  for (let round = 0; ; round++) {
    try {
      return taken(
        await counter.client.send("UpdateItem", {
          ...request,
          UpdateExpression: "SET #ttl = :ttl, #tag = if_not_exists(#tag, :tag) ADD #seq :one, #tot :bytes",
          ConditionExpression: "attribute_not_exists(#ttl) OR #ttl >= :now",
        }),
      );
    } catch (error) {
      // A second refusal means the counter expired again between two calls: give up rather than spin.
      if (!isConditionalCheckFailed(error) || round > 0) throw error;
    }
    try {
      return taken(
        await counter.client.send("UpdateItem", {
          ...request,
          UpdateExpression: "SET #ttl = :ttl, #tag = if_not_exists(#tag, :tag), #tot = :bytes ADD #seq :one",
          ConditionExpression: "#ttl < :now",
        }),
      );
    } catch (error) {
      // Another append renewed the expired counter first: take a number the ordinary way.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

function taken(answer: { Attributes?: Item }): Taken {
  const attributes = answer.Attributes ?? {};
  const seq = num(attributes, "seq");
  const tag = str(attributes, "tag");
  const total = num(attributes, COUNTER_TOTAL);
  if (seq === undefined || !Number.isSafeInteger(seq) || tag === undefined || total === undefined) {
    throw new TypeError("the event counter answered without a sequence number, tag and total");
  }
  return { seq, tag, total };
}

/** `tot` down by `bytes`, on an existing counter only (never creates one). */
export async function subtractTotal(counter: CounterRef, bytes: number): Promise<void> {
  if (bytes === 0) return;
  await updateExisting(counter, "ADD #tot :value", -bytes);
}

/** `tot` set to `bytes` (zero for a whole-session trim), on an existing counter only. */
export async function setTotal(counter: CounterRef, bytes: number): Promise<void> {
  await updateExisting(counter, "SET #tot = :value", bytes);
}

async function updateExisting(counter: CounterRef, expression: string, value: number): Promise<void> {
  try {
    await counter.client.send("UpdateItem", {
      TableName: counter.tableName,
      Key: key(counter.pk, COUNTER_SK),
      UpdateExpression: expression,
      ConditionExpression: "attribute_exists(#seq)",
      ExpressionAttributeNames: names("seq", COUNTER_TOTAL),
      ExpressionAttributeValues: { ":value": N(value) },
    });
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
  }
}
