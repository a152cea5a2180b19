import type { JsonValue, SessionStore, StoredRecord, StoreKey } from "@portico/core";
import { storeKeyText, toJsonText } from "@portico/core";
import type { Item, ItemContext } from "./_items.ts";
import {
  decodeJson,
  key,
  lifetimeOf,
  N,
  names,
  num,
  partitionKey,
  randomHex,
  S,
  str,
  ttlAttribute,
} from "./_items.ts";
import type { DynamoDbClient } from "./client.ts";
import { isConditionalCheckFailed } from "./errors.ts";

/** Options for {@link DynamoDbSessionStore}. */
export interface DynamoDbSessionStoreOptions {
  tableName: string;
  /** Prepended to every partition key (share one table between apps or test runs). Default `""`. */
  keyPrefix?: string;
  /** Clock in epoch milliseconds; defaults to `Date.now`. Expiry is judged by this clock. */
  now?: () => number;
}

/** Sort key of a session record; its partition key is `<prefix>s#<storeKeyText(key)>`. */
const RECORD_SK = "r";

/**
 * {@link SessionStore} on DynamoDB. One item per key: the value as a JSON string (`val`), the
 * version (`ver`), the expiry in epoch ms (`exp`), the TTL in epoch seconds (`ttl`) and a random
 * write token (`tok`).
 *
 * `create` is a conditional put (no item, or an expired one); `update` a conditional put on the
 * version of a live item. DynamoDB's TTL deletion is lazy, so every read compares `exp` with the
 * clock itself: an expired item reads as absent and can be created over. Reads are strongly
 * consistent. When a write was retried after an answer that got lost and then fails its
 * condition, the write token tells whether the lost attempt was ours and succeeded.
 */
export class DynamoDbSessionStore implements SessionStore {
  readonly #client: DynamoDbClient;
  readonly #context: ItemContext;

  constructor(client: DynamoDbClient, options: DynamoDbSessionStoreOptions) {
    this.#client = client;
    this.#context = {
      tableName: options.tableName,
      keyPrefix: options.keyPrefix ?? "",
      now: options.now ?? Date.now,
    };
  }

  async get(key: StoreKey): Promise<StoredRecord | undefined> {
    const item = await this.#read(await this.#key(key));
    if (!item) return undefined;
    const expiresAt = num(item, "exp");
    const version = num(item, "ver");
    if (expiresAt === undefined || version === undefined || expiresAt < this.#context.now()) return undefined;
    return { value: decodeJson(str(item, "val")), version, expiresAt };
  }

  async create(key: StoreKey, value: JsonValue, ttlMs: number): Promise<boolean> {
    const lifetime = lifetimeOf(ttlMs);
    const now = this.#context.now();
    return this.#put(await this.#key(key), value, 1, now + lifetime, {
      ConditionExpression: "attribute_not_exists(#pk) OR #exp < :now",
      ExpressionAttributeNames: names("pk", "exp"),
      ExpressionAttributeValues: { ":now": N(now) },
    });
  }

  async update(key: StoreKey, expectedVersion: number, value: JsonValue, ttlMs: number): Promise<boolean> {
    const lifetime = lifetimeOf(ttlMs);
    if (!Number.isSafeInteger(expectedVersion)) return false;
    const now = this.#context.now();
    return this.#put(await this.#key(key), value, expectedVersion + 1, now + lifetime, {
      ConditionExpression: "#ver = :expected AND #exp >= :now",
      ExpressionAttributeNames: names("ver", "exp"),
      ExpressionAttributeValues: { ":expected": N(expectedVersion), ":now": N(now) },
    });
  }

  async delete(key: StoreKey): Promise<void> {
    await this.#client.send("DeleteItem", { TableName: this.#context.tableName, Key: await this.#key(key) });
  }

  async #key(sessionKey: StoreKey): Promise<Item> {
    return key(await partitionKey(this.#context.keyPrefix, "s", storeKeyText(sessionKey)), RECORD_SK);
  }

  /** A conditional put of the record: true when written, false when the condition did not hold. */
  async #put(
    itemKey: Item,
    value: JsonValue,
    version: number,
    expiresAt: number,
    condition: Record<string, unknown>,
  ): Promise<boolean> {
    const item: Item = {
      ...itemKey,
      val: S(toJsonText(value, "a session value")),
      ver: N(version),
      exp: N(expiresAt),
      tok: S(randomHex(12)),
      ...ttlAttribute(expiresAt),
    };
    try {
      await this.#client.send("PutItem", { TableName: this.#context.tableName, Item: item, ...condition });
      return true;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      if (!error.ambiguous) return false;
      // An earlier attempt may have been applied before its answer was lost: then the item
      // carries our token and the write did happen.
      const current = await this.#read(itemKey);
      return current !== undefined && str(current, "tok") === str(item, "tok");
    }
  }

  async #read(itemKey: Item): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.#client.send<{ Item?: Record<string, unknown> }>("GetItem", {
      TableName: this.#context.tableName,
      Key: itemKey,
      ConsistentRead: true,
    });
    return Item;
  }
}
