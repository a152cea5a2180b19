/**
 * Eviction for the byte bound of the DynamoDB event store (`maxBytesPerSession`): runs when an
 * append's counter update answers a total over the bound, and brings the session's log back under
 * it, oldest events (lowest `seq`, across all streams) first. See `_event-counter.ts` for the total.
 */
import { StoreUnavailableError } from "@portico/core";
import type { CounterRef } from "./_event-counter.ts";
import { COUNTER_SK, COUNTER_TOTAL, EVENT_LENGTH, subtractTotal } from "./_event-counter.ts";
import type { Item } from "./_items.ts";
import { key, N, names, num, S, str, ttlExpired } from "./_items.ts";
import { queryAll } from "./_query.ts";
import { sleep } from "./_retry.ts";
import type { DynamoDbClient } from "./client.ts";
import { isConditionalCheckFailed } from "./errors.ts";
import { SORT_KEY } from "./table.ts";

/** DeleteItem calls of one eviction in flight at once. */
const DELETE_CONCURRENCY = 16;
/** BatchWriteItem takes at most 25 requests. */
const BATCH = 25;

/** One event item as the eviction Query sees it. */
export interface FoundEvent {
  sk: string;
  seq: number;
  bytes: number;
}

/**
 * Which of `live` (the session's unexpired events, ascending `seq`, summing to `total`) to evict,
 * oldest first, never the event at `ownSeq` (the one just appended: the newest stays) nor any after
 * it. Goes under `maxBytes` whatever it takes, then on down to the low-water mark (3/4 of the bound)
 * so that the next eviction is a quarter of the bound away — but not below half the bound.
 */
export function pickVictims(
  live: FoundEvent[],
  total: number,
  ownSeq: number,
  maxBytes: number,
): FoundEvent[] {
  const lowWater = Math.floor((maxBytes * 3) / 4);
  const victims: FoundEvent[] = [];
  for (const event of live) {
    if (event.seq >= ownSeq) break;
    const over = total > maxBytes;
    const worthIt = total > lowWater && total - event.bytes >= maxBytes / 2;
    if (!over && !worthIt) break;
    victims.push(event);
    total -= event.bytes;
  }
  return victims;
}

/** The eviction an append triggered. */
export interface Eviction extends CounterRef {
  /** Clock reading (epoch ms) deciding which items have expired. */
  now: number;
  maxBytes: number;
  /** The triggering append's sequence number. */
  ownSeq: number;
  /** The counter total its UpdateItem answered. */
  seenTotal: number;
}

/**
 * One strongly consistent Query of the partition's event items (sort key, size and TTL projected;
 * pages past 1 MB followed), a DeleteItem per victim on condition that the item still exists (so
 * success means this eviction removed it, and it alone counts it off), BatchWriteItem deletes of
 * expired items still present (25 a call), then one UpdateItem re-synchronising the total:
 *
 * - when the counter is exactly as the triggering append left it (same `seq` and total), the total
 *   is SET to what the Query found minus what was evicted — which also forgets events that
 *   DynamoDB's TTL removed behind our back, and expired ones not counted;
 * - otherwise another append or eviction ran meanwhile, and the total only goes down by the sizes
 *   this eviction removed itself (when two evictions delete one item, the condition lets only
 *   one of them succeed).
 */
export async function evict(job: Eviction): Promise<void> {
  const items = await queryAll(job.client, {
    TableName: job.tableName,
    KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :events)",
    ExpressionAttributeNames: names("pk", "sk", EVENT_LENGTH, "ttl"),
    ExpressionAttributeValues: { ":pk": S(job.pk), ":events": S("e ") },
    ProjectionExpression: `#sk, #${EVENT_LENGTH}, #ttl`,
    ConsistentRead: true,
  });
  const live: FoundEvent[] = [];
  const expired: FoundEvent[] = [];
  let total = 0;
  for (const item of items) {
    const sk = str(item, SORT_KEY);
    if (sk === undefined) continue;
    const event = { sk, seq: Number(sk.slice(sk.lastIndexOf(" ") + 1)), bytes: num(item, EVENT_LENGTH) ?? 0 };
    if (ttlExpired(item, job.now)) {
      expired.push(event);
    } else {
      live.push(event);
      total += event.bytes;
    }
  }
  live.sort((a, b) => a.seq - b.seq);
  const victims = pickVictims(live, total, job.ownSeq, job.maxBytes);
  const kept = victims.reduce((sum, event) => sum - event.bytes, total);
  const removed = await deleteVictims(job, victims);
  // Expired items may or may not be in the total (a counter reset forgot those before it): they
  // are left out of what is subtracted, erring towards a total too high, which a re-sync corrects.
  await deleteKeys(
    job.client,
    job.tableName,
    expired.map((event) => key(job.pk, event.sk)),
  );
  await resync(job, kept, removed);
}

/** Deletes the victims; resolves the total size of those this eviction removed (not already gone). */
async function deleteVictims(job: Eviction, victims: FoundEvent[]): Promise<number> {
  let removed = 0;
  for (let i = 0; i < victims.length; i += DELETE_CONCURRENCY) {
    const done = await Promise.all(victims.slice(i, i + DELETE_CONCURRENCY).map((e) => deleteOne(job, e.sk)));
    victims.slice(i, i + DELETE_CONCURRENCY).forEach((event, n) => {
      if (done[n]) removed += event.bytes;
    });
  }
  return removed;
}

/** True when this call removed the item, false when it was already gone. */
async function deleteOne(job: Eviction, sk: string): Promise<boolean> {
  try {
    await job.client.send("DeleteItem", {
      TableName: job.tableName,
      Key: key(job.pk, sk),
      ConditionExpression: "attribute_exists(#sk)",
      ExpressionAttributeNames: names("sk"),
    });
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false; // another eviction or a trim removed it first
    throw error;
  }
}

/** Deletes `keys` with BatchWriteItem (25 a call), re-sending what DynamoDB leaves unprocessed. */
export async function deleteKeys(client: DynamoDbClient, tableName: string, keys: Item[]): Promise<void> {
  for (let i = 0; i < keys.length; i += BATCH) {
    let requests: unknown[] = keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } }));
    for (let round = 0; requests.length > 0; round++) {
      if (round === 8) {
        throw new StoreUnavailableError(`DynamoDB left ${requests.length} deletes unprocessed`);
      }
      if (round > 0) await sleep(Math.min(1_000, 25 * 2 ** round) * Math.random());
      const { UnprocessedItems } = await client.send<{ UnprocessedItems?: Record<string, unknown[]> }>(
        "BatchWriteItem",
        { RequestItems: { [tableName]: requests } },
      );
      requests = UnprocessedItems?.[tableName] ?? [];
    }
  }
}

async function resync(job: Eviction, kept: number, removed: number): Promise<void> {
  try {
    await job.client.send("UpdateItem", {
      TableName: job.tableName,
      Key: key(job.pk, COUNTER_SK),
      UpdateExpression: "SET #tot = :kept",
      ConditionExpression: "#seq = :seq AND #tot = :seen",
      ExpressionAttributeNames: names("seq", COUNTER_TOTAL),
      ExpressionAttributeValues: { ":kept": N(kept), ":seq": N(job.ownSeq), ":seen": N(job.seenTotal) },
    });
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    await subtractTotal(job, removed);
  }
}
