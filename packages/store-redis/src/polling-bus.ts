import type { StoreKey, TopicLog, TopicLogBatch, TopicLogRead } from "@portico/core";
import { checkTimerMs, PollingBus, storeKeyText } from "@portico/core";
import type { CommandOptions } from "./_commands.ts";
import { Commands } from "./_commands.ts";
import { ttlArgument } from "./_json.ts";
import { POLL, PUBLISH } from "./_scripts.ts";
import type { RedisClientLike, RedisReply } from "./connection.ts";
import { RedisError } from "./errors.ts";

/** Options for {@link RedisPollingBus}. */
export interface RedisPollingBusOptions extends CommandOptions {
  /** Prepended to every key. Default `"portico:"`. */
  keyPrefix?: string;
  /**
   * Delay between two polls while anything is subscribed. Default 200 ms; 1 to 2^31−1 ms (about
   * 24.8 days, the longest a timer waits), else the constructor throws a `RangeError`.
   */
  pollMs?: number;
  /** How long a topic's messages are kept after its last publish. Default 60 s. */
  messageTtlMs?: number;
  /** Messages kept per topic (approximately). Default 1000. */
  maxMessagesPerTopic?: number;
  /**
   * Called when a subscriber throws or a poll fails (topic `"*"`); polling goes on either way.
   * `topic` is the topic's `storeKeyText`.
   */
  onError?: (error: unknown, topic: string) => void;
}

/** Entries read per topic per poll; a topic that fills it is polled again at once. */
const BATCH = 200;

/**
 * Topics per XREAD (or POLL script): the script hands XREAD its arguments with Lua's `unpack`,
 * which refuses a few thousand values, and a smaller request also keeps one reply bounded.
 */
const CHUNK = 1000;

/** A topic read after its cursor: its index among the reads, its key, its cursor. */
interface Polled {
  index: number;
  key: string;
  cursor: string;
}

/**
 * A `Bus` for connections without pub/sub (Upstash REST on Edge runtimes), on the core's
 * `PollingBus`: each topic is a short Redis Stream (`<prefix>b:<storeKeyText(topic)>`). `publish`
 * appends to it (XADD with an approximate MAXLEN, and an expiry of `messageTtlMs`); a bus instance
 * polls all its subscribed topics with one XREAD per `pollMs` (one request per poll for up to 1000
 * topics, one per 1000 beyond; inside a script with `primaryReads`), and hands new entries to their
 * subscribers in stream order. A topic whose key holds something else (WRONGTYPE) is reported to
 * `onError` alone; the others are still delivered. `subscribe` resolves once the topic's current
 * end is known, so everything published after it resolves is delivered.
 * Delivery is at most once, best effort. Every instance of one app must use the same bus kind:
 * pub/sub and polling do not hear each other. On Workers and Edge, timers do not outlive the
 * request: subscribe within one.
 */
export class RedisPollingBus extends PollingBus<string> {
  constructor(client: RedisClientLike, options: RedisPollingBusOptions = {}) {
    if (options.pollMs !== undefined) checkTimerMs("pollMs", options.pollMs, 1);
    const log = new RedisTopicLog(new Commands(client, options), options);
    super(log, {
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }
}

/** The topic log: a Redis Stream per topic; the cursor is the id of the last entry read. */
class RedisTopicLog implements TopicLog<string> {
  readonly #commands: Commands;
  readonly #prefix: string;
  readonly #ttl: string;
  readonly #maxLen: string;

  constructor(commands: Commands, options: RedisPollingBusOptions) {
    this.#commands = commands;
    this.#prefix = `${options.keyPrefix ?? "portico:"}b:`;
    this.#ttl = ttlArgument(options.messageTtlMs ?? 60_000, "messageTtlMs");
    const maxLen = options.maxMessagesPerTopic ?? 1_000;
    if (!Number.isSafeInteger(maxLen) || maxLen < 1) {
      throw new RangeError(`maxMessagesPerTopic must be a positive integer, got ${maxLen}`);
    }
    this.#maxLen = String(maxLen);
  }

  async append(topic: StoreKey, text: string): Promise<void> {
    await this.#commands.eval(PUBLISH, [this.#key(topic)], [text, this.#ttl, this.#maxLen], "once");
  }

  /** First reads look up each stream's last id; the others share one XREAD per {@link CHUNK} topics. */
  async read(reads: readonly TopicLogRead<string>[]): Promise<TopicLogBatch<string>[]> {
    const batches: TopicLogBatch<string>[] = reads.map((read) => ({
      messages: [],
      cursor: read.cursor ?? "0-0",
    }));
    const polled: Polled[] = [];
    const starts: Promise<void>[] = [];
    for (const [index, read] of reads.entries()) {
      const key = this.#key(read.topic);
      if (read.cursor !== undefined) polled.push({ index, key, cursor: read.cursor });
      else
        starts.push(
          this.#end(key).then((cursor) => {
            batches[index] = { messages: [], cursor };
          }),
        );
    }
    await Promise.all(starts);
    if (polled.length === 0) return batches;
    const chunks: Promise<void>[] = [];
    for (let i = 0; i < polled.length; i += CHUNK) {
      chunks.push(this.#poll(polled.slice(i, i + CHUNK), batches));
    }
    await Promise.all(chunks);
    return batches;
  }

  /**
   * One XREAD (the POLL script with `primaryReads`) for `polled`, its batches set in `batches`.
   * Redis refuses the whole read when one key holds something other than a stream (WRONGTYPE:
   * written by something else), so that reply splits the read in halves, down to the topics that
   * fail: `{ error }` there, and the others are read (about 2·log2(n) requests per bad key). Any
   * other failure (Redis unreachable, a refused request) is the same for every topic: it fails
   * the whole poll.
   */
  async #poll(polled: Polled[], batches: TopicLogBatch<string>[]): Promise<void> {
    const keys = polled.map((read) => read.key);
    const cursors = polled.map((read) => read.cursor);
    let reply: RedisReply;
    try {
      reply = this.#commands.primaryReads
        ? await this.#commands.eval(POLL, keys, [String(BATCH), ...cursors], "idempotent")
        : await this.#commands.run(
            ["XREAD", "COUNT", String(BATCH), "STREAMS", ...keys, ...cursors],
            "idempotent",
          );
    } catch (error) {
      if (!(error instanceof RedisError && error.reply === "WRONGTYPE")) throw error;
      if (polled.length === 1) {
        batches[(polled[0] as Polled).index] = { error };
        return;
      }
      const half = Math.ceil(polled.length / 2);
      await Promise.all([
        this.#poll(polled.slice(0, half), batches),
        this.#poll(polled.slice(half), batches),
      ]);
      return;
    }
    const byKey = new Map(polled.map((read) => [read.key, read]));
    for (const [key, entries] of streamsOf(reply)) {
      const read = typeof key === "string" ? byKey.get(key) : undefined;
      if (!read || !Array.isArray(entries)) continue;
      batches[read.index] = toBatch(entries, read.cursor);
    }
  }

  /** The id of the stream's last entry (`0-0` for none): where a new subscription starts. */
  async #end(key: string): Promise<string> {
    const reply = await this.#commands.read("XREVRANGE", key, ["+", "-", "COUNT", "1"]);
    const first = Array.isArray(reply) ? reply[0] : undefined;
    const id = Array.isArray(first) ? first[0] : undefined;
    return typeof id === "string" ? id : "0-0";
  }

  #key(topic: StoreKey): string {
    return this.#prefix + storeKeyText(topic);
  }
}

/**
 * XREAD's `[stream, entries]` pairs, from any client: RESP2 (and the POLL script) nest them
 * (`[[key, entries], …]`); a RESP3 map arrives flat (`[key, entries, …]`: ioredis, and node-redis
 * after `normaliseReply`). No new entries: `null`.
 */
export function streamsOf(reply: RedisReply): [RedisReply, RedisReply][] {
  if (!Array.isArray(reply)) return [];
  if (reply.every(Array.isArray)) return reply.map((pair) => [pair[0] ?? null, pair[1] ?? null]);
  const pairs: [RedisReply, RedisReply][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([reply[i] ?? null, reply[i + 1] ?? null]);
  return pairs;
}

/** One stream's XREAD entries (`[id, ["m", text]]`) as a batch. */
function toBatch(entries: RedisReply[], cursor: string): TopicLogBatch<string> {
  const messages: string[] = [];
  for (const entry of entries) {
    const [id, fields] = Array.isArray(entry) ? entry : [];
    if (typeof id !== "string") continue;
    cursor = id;
    const text = Array.isArray(fields) ? fields[1] : undefined;
    if (typeof text === "string") messages.push(text);
  }
  return { messages, cursor, more: entries.length >= BATCH };
}
