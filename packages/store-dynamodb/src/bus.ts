import { PollingBus } from "@portico/core";
import { checkTimerMs } from "@portico/host";
import type { SeenSortKeys } from "./_topic-log.ts";
import { DynamoDbTopicLog } from "./_topic-log.ts";
import type { DynamoDbClient } from "./client.ts";

/** Options for {@link DynamoDbBus}. */
export interface DynamoDbBusOptions {
  tableName: string;
  /** Prepended to every partition key. Default `""`. */
  keyPrefix?: string;
  /** Delay between two polls of the subscribed topics. Default 200 ms; 1 to 2^31−1 ms. */
  pollMs?: number;
  /**
   * How far back each poll looks, so a message whose write became visible late (slow or retried
   * publish, clock skew between instances) is still delivered. Default 2000 ms; 0 to 2^31−1 ms.
   */
  lookbackMs?: number;
  /**
   * How long a message item is kept. Default `lookbackMs` + 60 s; 1 to 2^31−1 ms. (2^31−1 ms, about
   * 24.8 days, is the longest a timer waits, and the bound of every duration here: out of range,
   * the constructor throws a `RangeError`.)
   */
  messageTtlMs?: number;
  /**
   * Called when a subscriber throws or a poll fails; delivery goes on either way. `topic` is the
   * topic's `storeKeyText`.
   */
  onError?: (error: unknown, topic: string) => void;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * A `Bus` on DynamoDB, which has no pub/sub: the core's `PollingBus` over a topic log in the
 * table. `publish` writes one item to the topic's partition (`<prefix>b#<storeKeyText(topic)>`)
 * under a time-ordered, unique sort key (`<epoch ms, 13 digits> <instance id> <counter>`) with a
 * short TTL; every `pollMs` a bus instance queries each subscribed topic (one Query per topic, shared
 * by all its subscribers) for new sort keys and hands messages to the topic's subscribers in
 * sort-key order. Messages of one publisher therefore arrive in publish order. `subscribe`
 * resolves after the topic's first Query, so anything published after it resolves is delivered.
 * Delivery is best effort and at most once per subscriber, as the `Bus` contract allows.
 * Call {@link DynamoDbBus.close} to stop polling at once.
 */
export class DynamoDbBus extends PollingBus<SeenSortKeys> {
  constructor(client: DynamoDbClient, options: DynamoDbBusOptions) {
    const lookbackMs = options.lookbackMs ?? 2_000;
    checkTimerMs("lookbackMs", lookbackMs, 0);
    // Polls are paced by a timer; an item's TTL is written as a number of seconds.
    if (options.pollMs !== undefined) checkTimerMs("pollMs", options.pollMs, 1);
    if (options.messageTtlMs !== undefined) checkTimerMs("messageTtlMs", options.messageTtlMs, 1);
    const log = new DynamoDbTopicLog({
      client,
      tableName: options.tableName,
      keyPrefix: options.keyPrefix ?? "",
      lookbackMs,
      messageTtlMs: options.messageTtlMs ?? lookbackMs + 60_000,
      now: options.now ?? Date.now,
    });
    super(log, {
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }
}
