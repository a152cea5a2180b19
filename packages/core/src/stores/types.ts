/**
 * Store contracts. Everything a legacy-era session needs to outlive one invocation goes through
 * these three interfaces, so any instance can serve any request. Every value is plain JSON:
 * implementations may serialise it anywhere (DynamoDB, Redis, Durable Objects, memory).
 */

/** Any JSON value. Stores only hold and return these. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What a {@link SessionStore} record or a {@link Bus} topic is about. The session id is apart from
 * the kind so a store can place everything of one session together without parsing names; keys
 * and topics with no `session` are server-wide (the broadcast topic, keys of other users). A store
 * that needs a string uses `storeKeyText(key)`; two keys are the same when their texts are.
 */
export interface StoreKey {
  /** What it is: `session`, `reply`, `stream`, `cancel`, `broadcast`, or another user's kind. */
  readonly kind: string;
  /** The legacy session it belongs to; absent for server-wide keys and topics. */
  readonly session?: string;
  /** Which one within the session (a stream id, a request id as JSON text), when there are several. */
  readonly id?: string;
}

/** A record as a {@link SessionStore} returns it. */
export interface StoredRecord {
  /** The stored JSON value. */
  value: JsonValue;
  /** Increases by one on every successful write; starts at 1 on create. */
  version: number;
  /** Epoch milliseconds after which the record is gone (reads return `undefined`). */
  expiresAt: number;
}

/**
 * Key/value records with expiry and compare-and-set. Portico keeps legacy sessions and the
 * pending server→client reply mailbox here.
 */
export interface SessionStore {
  /**
   * The live record under `key`, or `undefined` if absent or expired. The core never changes a value
   * it read, so a store may hand out the same (frozen) object on every read.
   */
  get(key: StoreKey): Promise<StoredRecord | undefined>;
  /** Creates the record only if no live record exists. Resolves `true` when created. */
  create(key: StoreKey, value: JsonValue, ttlMs: number): Promise<boolean>;
  /**
   * Replaces the value only if the live record's version equals `expectedVersion`.
   * Resolves `true` when written (the version then becomes `expectedVersion + 1`).
   */
  update(key: StoreKey, expectedVersion: number, value: JsonValue, ttlMs: number): Promise<boolean>;
  /** Removes the record; deleting an absent key is not an error. */
  delete(key: StoreKey): Promise<void>;
}

/** One event as an {@link EventStore} returns it. */
export interface StoredEvent {
  /** The id the store assigned on append. */
  id: string;
  /** The JSON-RPC message. */
  message: JsonValue;
}

/**
 * Append-only event log per session, split into streams (one per SSE response or GET stream).
 * Event ids are unique within a session, ordered within a stream, and identify their stream.
 */
export interface EventStore {
  /** Appends `message` to `streamId` of `sessionId`; resolves the new event's id. */
  append(sessionId: string, streamId: string, message: JsonValue): Promise<string>;
  /**
   * Everything appended to the stream that `lastEventId` belongs to, after that event, in
   * order. `undefined` when the id is unknown to this session (never another session's events).
   */
  replay(
    sessionId: string,
    lastEventId: string,
  ): Promise<{ streamId: string; events: StoredEvent[] } | undefined>;
  /** Drops one stream's events, or the whole session's when `streamId` is omitted. */
  trim(sessionId: string, streamId?: string): Promise<void>;
}

/** Handle returned by {@link Bus.subscribe}. */
export interface Subscription {
  /** Stops delivery; idempotent. */
  unsubscribe(): Promise<void>;
}

/**
 * Publish/subscribe across instances: list changes, resource updates, stream wake-ups, reply
 * wake-ups and cancellation. Delivery is at-most-once and best effort; Portico always re-reads
 * the durable stores after a wake-up, so a lost message only delays, never loses, data.
 */
export interface Bus {
  /** Delivers `message` to every current subscriber of `topic` (on any instance). */
  publish(topic: StoreKey, message: JsonValue): Promise<void>;
  /** Resolves once the subscription is active: messages published afterwards are delivered. */
  subscribe(topic: StoreKey, onMessage: (message: JsonValue) => void): Promise<Subscription>;
}

/**
 * A token bucket, kept in the generic cell rate algorithm's form (one number per bucket: the
 * theoretical arrival time, see `takeToken`): `limit` calls per `periodMs` on average, up to
 * `burst` at once from a full bucket.
 */
export interface TokenBucket {
  /** Calls admitted per `periodMs` on average: the refill rate. */
  readonly limit: number;
  /** The period of `limit`, in milliseconds. */
  readonly periodMs: number;
  /** The bucket's size: most calls admitted at once from a full bucket (≥ `cost`). */
  readonly burst: number;
  /** Tokens this call takes. */
  readonly cost: number;
}

/** What {@link RateLimitStore.take} decided. */
export interface TokenTake {
  /** Whether the call was admitted (its tokens were taken). */
  readonly allowed: boolean;
  /** Whole tokens left in the bucket after this take. */
  readonly remaining: number;
  /** Denied: milliseconds until the same take would be admitted; 0 when admitted. */
  readonly retryAfterMs: number;
  /** Milliseconds until the bucket is full again. */
  readonly resetAfterMs: number;
}

/**
 * Rate-limit buckets shared by every instance. `take` is one atomic operation on the backend
 * (a Redis script, DynamoDB conditional updates, a Durable Object's single thread), so concurrent
 * takes on many instances never admit more than the bucket holds.
 */
export interface RateLimitStore {
  /** Takes `bucket.cost` tokens from the bucket under `key`, if it holds them. */
  take(key: StoreKey, bucket: TokenBucket): Promise<TokenTake>;
}

/** The stores a handler uses. */
export interface Stores {
  sessions: SessionStore;
  events: EventStore;
  bus: Bus;
  /** Rate-limit buckets (`@portico/guard`'s `rateLimit`); every Portico store family has one. */
  limits?: RateLimitStore;
}
