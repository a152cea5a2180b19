/**
 * The bus's topic log on DynamoDB: one partition per topic (`<prefix>b#<storeKeyText(topic)>`),
 * one item per message under a time-ordered, unique sort key. The core's `PollingBus` does the
 * polling; this module only appends and reads.
 */

import type { StoreKey, TopicLog, TopicLogBatch, TopicLogRead } from "@portico/core";
import { storeKeyText } from "@portico/core";
import { key, names, partitionKey, randomHex, S, str, ttlAttribute, ttlExpired } from "./_items.ts";
import { queryAll } from "./_query.ts";
import type { DynamoDbClient } from "./client.ts";
import { SORT_KEY } from "./table.ts";

/** Width of the millisecond timestamp that starts every bus sort key. */
const TIME_WIDTH = 13;

/** Sort keys already handled, with their timestamp (for pruning): where a topic's reads stand. */
export type SeenSortKeys = Map<string, number>;

export interface TopicLogSettings {
  client: DynamoDbClient;
  tableName: string;
  keyPrefix: string;
  lookbackMs: number;
  messageTtlMs: number;
  now: () => number;
}

/**
 * Sort keys are `<epoch ms, 13 digits> <instance id> <counter>`: ordered by time, unique, and in
 * publish order for one publisher. A read is a strongly consistent Query for the sort keys newer
 * than `now − lookback`; a message counts as new the first time its sort key shows up, and the keys
 * seen are remembered while they are inside the window (that is the cursor). Re-reading the window
 * catches a message whose write became visible after a newer one (concurrent publishers, a retried
 * publish, clock skew up to `lookbackMs`). The first read only records what is already there.
 */
export class DynamoDbTopicLog implements TopicLog<SeenSortKeys> {
  readonly #settings: TopicLogSettings;
  /** Drawn on the first publish, not when the stores are made: a cold start that publishes nothing
   * (every 2026-07-28 request) then never loads WebCrypto, which costs a Lambda cold start ~20 ms. */
  #instance: string | undefined;
  #lastTime = 0;
  #counter = 0;

  constructor(settings: TopicLogSettings) {
    this.#settings = settings;
  }

  async append(topic: StoreKey, text: string): Promise<void> {
    const now = this.#settings.now();
    const pk = await this.#pk(topic);
    await this.#settings.client.send("PutItem", {
      TableName: this.#settings.tableName,
      Item: {
        ...key(pk, this.#nextSortKey(now)),
        msg: S(text),
        ...ttlAttribute(now + this.#settings.messageTtlMs),
      },
    });
  }

  /** One Query per topic, side by side; a topic whose Query fails answers its error. */
  async read(reads: readonly TopicLogRead<SeenSortKeys>[]): Promise<TopicLogBatch<SeenSortKeys>[]> {
    const outcomes = await Promise.allSettled(reads.map((read) => this.#readOne(read)));
    return outcomes.map((outcome) =>
      outcome.status === "fulfilled" ? outcome.value : { error: outcome.reason as unknown },
    );
  }

  async #readOne({ topic, cursor }: TopicLogRead<SeenSortKeys>): Promise<TopicLogBatch<SeenSortKeys>> {
    const pk = await this.#pk(topic);
    const now = this.#settings.now();
    // The window holds the sort keys of the milliseconds after `floor`; the seen keys of `floor`
    // and before are pruned below, so the two must agree (`~` sorts after `<floor> <instance> …`).
    const floor = Math.floor(now - this.#settings.lookbackMs);
    const items = await queryAll(this.#settings.client, {
      TableName: this.#settings.tableName,
      KeyConditionExpression: "#pk = :pk AND #sk > :floor",
      ExpressionAttributeNames: names("pk", "sk"),
      ExpressionAttributeValues: {
        ":pk": S(pk),
        ":floor": S(`${String(Math.max(0, floor)).padStart(TIME_WIDTH, "0")}~`),
      },
      ConsistentRead: true,
    });
    const seen: SeenSortKeys = cursor ?? new Map();
    for (const [sk, time] of seen) if (time <= floor) seen.delete(sk);
    const messages: string[] = [];
    for (const item of items) {
      const sk = str(item, SORT_KEY);
      if (sk === undefined || seen.has(sk)) continue;
      seen.set(sk, Number(sk.slice(0, TIME_WIDTH)));
      if (cursor === undefined || ttlExpired(item, now)) continue;
      const text = str(item, "msg");
      if (text !== undefined) messages.push(text);
    }
    return { messages, cursor: seen };
  }

  #pk(topic: StoreKey): Promise<string> {
    return partitionKey(this.#settings.keyPrefix, "b", storeKeyText(topic));
  }

  /** Increasing within this instance even when the clock stands still or steps back. */
  #nextSortKey(now: number): string {
    this.#lastTime = Math.max(this.#lastTime, Math.floor(now));
    this.#counter += 1;
    const time = String(this.#lastTime).padStart(TIME_WIDTH, "0");
    this.#instance ??= randomHex(6);
    return `${time} ${this.#instance} ${String(this.#counter).padStart(12, "0")}`;
  }
}
