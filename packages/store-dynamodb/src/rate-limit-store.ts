import type { RateLimitStore, StoreKey, TokenBucket, TokenTake } from "@portico/core";
import { assertTokenBucket, StoreUnavailableError, storeKeyText, tokenIntervalMs } from "@portico/core";
import type { Item } from "./_items.ts";
import { key, names, num, partitionKey, ttlValue } from "./_items.ts";
import type { DynamoDbClient } from "./client.ts";
import { isConditionalCheckFailed } from "./errors.ts";
import { TTL_ATTRIBUTE } from "./table.ts";

/** Options for {@link DynamoDbRateLimitStore}. */
export interface DynamoDbRateLimitStoreOptions {
  tableName: string;
  /** Prepended to every partition key (share one table between apps or test runs). Default `""`. */
  keyPrefix?: string;
  /** Clock in epoch milliseconds; defaults to `Date.now`. Every take is timed by this clock. */
  now?: () => number;
}

/** Sort key of a bucket; its partition key is `<prefix>l#<storeKeyText(key)>`. */
const BUCKET_SK = "t";
/** The bucket's theoretical arrival time: epoch ms with 3 decimals (whole microseconds). */
const TAT = "tat";
/** Slack for the results' roundings, as in `takeToken` (a millionth of a millisecond). */
const EPSILON = 1e-6;
/** Most rounds of a take that other instances' writes keep overtaking before it gives up. */
const MAX_ROUNDS = 5;

/** Placeholders of the two attributes a take writes. */
const ATTRIBUTE_NAMES = names(TAT, TTL_ATTRIBUTE);
const SET_TTL = `#${TTL_ATTRIBUTE} = :expires`;
/** Attempt A: the bucket is ahead of now and has room for the take. */
const TAKE_AHEAD = {
  UpdateExpression: `SET #${TAT} = #${TAT} + :inc, ${SET_TTL}`,
  ConditionExpression: `#${TAT} >= :now AND #${TAT} <= :maxTat`,
};
/** Attempt B: the bucket is full (no item, or its arrival time has passed): start it from now. */
const TAKE_FULL = {
  UpdateExpression: `SET #${TAT} = :next, ${SET_TTL}`,
  ConditionExpression: `attribute_not_exists(#${TAT}) OR #${TAT} < :now`,
};

/**
 * A bucket in whole microseconds, so every stored arrival time is an exact decimal with 3 places and
 * DynamoDB's sums of them are exact: `unit` is one token's interval (`periodMs / limit` rounded up,
 * at least 1 µs), `inc` what this take adds (`cost` tokens), `capacity` the bucket's size (`burst`
 * tokens).
 */
interface MicroBucket {
  unit: number;
  inc: number;
  capacity: number;
}

/** The result of one conditional write. */
type Written = { written: true; tat: number | undefined } | { written: false; old: Item | undefined };

/**
 * {@link RateLimitStore} on DynamoDB (`@portico/guard`'s `rateLimit` across instances), on the same
 * table as the other stores. One item per bucket (`pk` `<prefix>l#<storeKeyText(key)>`, `sk` `t`)
 * holding its theoretical arrival time (`tat`, epoch ms with 3 decimals: the generic cell rate
 * algorithm, as `takeToken` in `@portico/core`) and `ttl` (epoch seconds) at or after the time the
 * bucket is full again, so DynamoDB's TTL can delete an idle bucket. TTL deletion is lazy: an item
 * whose `tat` has passed reads as a full bucket, whether or not it is still there.
 *
 * `take` uses conditional UpdateItems only, no lock and no unconditional write. DynamoDB has no
 * `max()` in an update expression, so there are two paths: attempt A moves a bucket that is ahead of
 * now (`SET tat = tat + :inc` if `:now <= tat <= :maxTat`, one round trip); when its condition fails,
 * the old item DynamoDB returns with the failure (`ReturnValuesOnConditionCheckFailure`) tells a
 * denial (`tat > :maxTat`: answered from it, nothing written) from a full bucket, which attempt B
 * starts from now (`SET tat = :next` if there is no `tat` or it is `< :now`). When B's condition
 * fails too, another instance has just moved the bucket and the take starts again with a fresh
 * clock, at most 5 rounds (then a {@link StoreUnavailableError}). Round trips per take: 1 when
 * admitted from a bucket ahead of now, 2 when the bucket had drained (or was never used), 1 when
 * denied.
 *
 * Times are kept in whole microseconds: a token's interval is rounded up to one (so a bucket never
 * refills faster than asked; a token is at least 1 µs), so DynamoDB's decimal sums of arrival times
 * are exact and the answers are `takeToken`'s for that interval. The clock is this instance's
 * (`now`): keep instance clocks in sync (NTP, as on Lambda). The client retries a write whose answer
 * was lost; if the lost attempt had been applied, its tokens are taken twice — an error towards
 * denying, never towards admitting more than the bucket holds.
 */
export class DynamoDbRateLimitStore implements RateLimitStore {
  readonly #client: DynamoDbClient;
  readonly #tableName: string;
  readonly #keyPrefix: string;
  readonly #now: () => number;

  constructor(client: DynamoDbClient, options: DynamoDbRateLimitStoreOptions) {
    this.#client = client;
    this.#tableName = options.tableName;
    this.#keyPrefix = options.keyPrefix ?? "";
    this.#now = options.now ?? Date.now;
  }

  async take(bucketKey: StoreKey, bucket: TokenBucket): Promise<TokenTake> {
    assertTokenBucket(bucket);
    const rule = microBucket(bucket);
    const itemKey = key(await partitionKey(this.#keyPrefix, "l", storeKeyText(bucketKey)), BUCKET_SK);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const now = Math.round(this.#now() * 1000);
      if (!Number.isSafeInteger(now + rule.capacity)) {
        throw new RangeError(
          "a token bucket's burst × periodMs / limit is too long for DynamoDbRateLimitStore",
        );
      }
      const maxTat = now + rule.capacity - rule.inc;
      const expires = ttlValue((now + rule.capacity) / 1000);

      const ahead = await this.#update(itemKey, TAKE_AHEAD, {
        ":inc": msNumber(rule.inc),
        ":now": msNumber(now),
        ":maxTat": msNumber(maxTat),
        ":expires": expires,
      });
      if (ahead.written) return admitted(ahead.tat, now, rule);
      if (ahead.old !== undefined) {
        const tat = tatOf(ahead.old);
        if (tat !== undefined && tat >= now) {
          if (tat > maxTat) return denied(tat, now, rule);
          continue; // within reach after all (never so in the item DynamoDB returns): try A again
        }
      }
      // A full bucket (its arrival time has passed, or there is no item), or a server that returns
      // no old item on a failed condition: DynamoDB sends none when there was no item, so its
      // absence cannot tell "no item" from "not supported" (dynalite: ignores the option). B is
      // conditional, so trying it first is right either way, and keeps a new bucket at 2 round trips.
      const full = await this.#update(itemKey, TAKE_FULL, {
        ":next": msNumber(now + rule.inc),
        ":now": msNumber(now),
        ":expires": expires,
      });
      if (full.written) return admitted(full.tat ?? now + rule.inc, now, rule);
      // B failed: the bucket is ahead of now. DynamoDB returned it; dynalite did not, so it costs
      // one strongly consistent read there (and a denial takes 3 round trips on dynalite).
      const current = full.old ?? (await this.#read(itemKey));
      const tat = current === undefined ? undefined : tatOf(current);
      if (tat !== undefined && tat > maxTat) return denied(tat, now, rule);
      // Another instance moved the bucket meanwhile, and it has room: start again from A.
    }
    throw new StoreUnavailableError(
      `DynamoDB rate-limit take on ${storeKeyText(bucketKey)} lost ${MAX_ROUNDS} races with other takes in a row`,
    );
  }

  /** One conditional UpdateItem; a failed condition resolves the old item, when DynamoDB sent it. */
  async #update(
    itemKey: Item,
    expressions: { UpdateExpression: string; ConditionExpression: string },
    values: Record<string, { N: string }>,
  ): Promise<Written> {
    try {
      const { Attributes } = await this.#client.send<{ Attributes?: Record<string, unknown> }>("UpdateItem", {
        TableName: this.#tableName,
        Key: itemKey,
        ...expressions,
        ExpressionAttributeNames: ATTRIBUTE_NAMES,
        ExpressionAttributeValues: values,
        ReturnValues: "ALL_NEW",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      });
      return { written: true, tat: Attributes === undefined ? undefined : tatOf(Attributes) };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      return { written: false, old: error.item as Item | undefined };
    }
  }

  async #read(itemKey: Item): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#client.send<{ Item?: Record<string, unknown> }>("GetItem", {
      TableName: this.#tableName,
      Key: itemKey,
      ConsistentRead: true,
    });
    return Item;
  }
}

function microBucket(bucket: TokenBucket): MicroBucket {
  // Rounded up (never a faster refill than asked), less a billionth for floating-point noise.
  const interval = tokenIntervalMs(bucket) * 1000;
  const unit = Math.max(1, Math.ceil(interval - interval * 1e-9));
  // cost ≤ burst, so inc ≤ capacity; both are exact multiples of unit for whole token counts.
  return {
    unit,
    inc: Math.max(1, Math.round(bucket.cost * unit)),
    capacity: Math.round(bucket.burst * unit),
  };
}

/** An item's arrival time in epoch microseconds; `undefined` without one. */
function tatOf(item: Record<string, unknown>): number | undefined {
  const tat = num(item, TAT);
  return tat === undefined || !Number.isFinite(tat) ? undefined : Math.round(tat * 1000);
}

/** Microseconds as a DynamoDB number of milliseconds with up to 3 decimals, exactly. */
function msNumber(micros: number): { N: string } {
  const sign = micros < 0 ? "-" : "";
  const whole = Math.floor(Math.abs(micros) / 1000);
  const fraction = Math.abs(micros) - whole * 1000;
  return { N: fraction === 0 ? `${sign}${whole}` : `${sign}${whole}.${String(fraction).padStart(3, "0")}` };
}

/** Admitted: the results `takeToken` gives for the new arrival time `tat` (µs). */
function admitted(tat: number | undefined, now: number, rule: MicroBucket): TokenTake {
  if (tat === undefined) throw new TypeError("DynamoDB answered an admitted take without the bucket's tat");
  const ahead = tat - now;
  return {
    allowed: true,
    remaining: Math.max(0, Math.floor((rule.capacity - ahead) / rule.unit + EPSILON)),
    retryAfterMs: 0,
    resetAfterMs: Math.ceil(ahead / 1000 - EPSILON),
  };
}

/** Denied: the results `takeToken` gives for the unchanged arrival time `tat` (µs). */
function denied(tat: number, now: number, rule: MicroBucket): TokenTake {
  const from = Math.max(tat, now);
  const next = from + rule.inc;
  return {
    allowed: false,
    remaining: Math.max(0, Math.floor((rule.capacity - (from - now)) / rule.unit + EPSILON)),
    retryAfterMs: Math.ceil((next - now - rule.capacity) / 1000 - EPSILON),
    resetAfterMs: Math.ceil((from - now) / 1000 - EPSILON),
  };
}
