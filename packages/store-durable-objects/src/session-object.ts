/**
 * `PorticoSessionObject`: the Durable Object class behind `durableObjectStores()`. One object per
 * legacy session (`idFromName("session:<id>")`, see `_routing.ts`) holds that session's record,
 * its reply mailbox, its event log and its bus subscribers, in the object's own SQLite database.
 * Keys and topics without a session (the broadcast topic: list changes, resource updates) get an
 * object of their own (`topic:<storeKeyText>`, `key:<storeKeyText>`), and so does every rate-limit
 * bucket (`limit:<storeKeyText>`).
 *
 * Nothing lives only in memory: records, events and buckets are SQL rows, subscribers are
 * hibernatable WebSockets, expiry is an alarm. The object can therefore be evicted at any moment
 * (hibernation, a deploy) and picks up where it was when the next call or message arrives.
 */
import { DurableObject } from "cloudflare:workers";
import { assertTokenBucket, MAX_TIMER_MS, type TokenBucket, type TokenTake } from "@portico/core";
import {
  appendEvent,
  DEFAULT_MAX_BYTES_PER_SESSION,
  type ReplayRows,
  replayEvents,
  trimEvents,
} from "./_events.ts";
import { takeLimit } from "./_limits.ts";
import {
  createRecord,
  deleteRecord,
  ensureSchema,
  getRecord,
  hasSchema,
  type RecordRow,
  sweep,
  updateRecord,
} from "./_records.ts";
import { acceptSubscriber, closeSubscriber, sendToSubscribers } from "./_sockets.ts";

/**
 * How far ahead an alarm is set at most. The alarm API refuses dates after the year 2189, and a
 * record may live longer (the core's `sessionTtlMs` is any finite length, a rate-limit bucket's
 * period too): an alarm that comes before the expiry finds nothing expired and sets the next one.
 */
const MAX_ALARM_AHEAD_MS = MAX_TIMER_MS;

export class PorticoSessionObject extends DurableObject {
  readonly #sql: SqlStorage;
  /** The event-id tag; `undefined` while the storage holds no tables (a new or emptied object). */
  #tag: string | undefined;
  /** The scheduled alarm as last read or written (`null`: none); `undefined` until read after a wake-up. */
  #alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    this.#sql = ctx.storage.sql;
    // Storage that exists is brought up to date; none is created until the first write.
    this.#tag = hasSchema(this.#sql) ? ensureSchema(this.#sql) : undefined;
  }

  /** Creates the tables on the first write to an object without storage; returns the tag. */
  #writable(): string {
    this.#tag ??= ensureSchema(this.#sql);
    return this.#tag;
  }

  // --- SessionStore ---------------------------------------------------------------------------

  getRecord(key: string): RecordRow | null {
    if (this.#tag === undefined) return null;
    return getRecord(this.#sql, key, Date.now()) ?? null;
  }

  async createRecord(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.#writable();
    const now = Date.now();
    const created = createRecord(this.#sql, key, value, now + ttlMs, now);
    if (created) await this.#expireBy(now + ttlMs);
    return created;
  }

  async updateRecord(key: string, expectedVersion: number, value: string, ttlMs: number): Promise<boolean> {
    if (this.#tag === undefined) return false;
    const now = Date.now();
    const updated = updateRecord(this.#sql, key, expectedVersion, value, now + ttlMs, now);
    if (updated) await this.#expireBy(now + ttlMs);
    return updated;
  }

  deleteRecord(key: string): void {
    if (this.#tag !== undefined) deleteRecord(this.#sql, key);
  }

  // --- EventStore -----------------------------------------------------------------------------

  /**
   * Appends an event, evicting the session's oldest events if its log then holds more than
   * `maxBytesPerSession` (the store's option; the default when a caller of an earlier version
   * passes none). The core then publishes the stream's wake-up, kept alive with `waitUntil`.
   */
  async appendEvent(
    session: string,
    stream: string,
    message: string,
    ttlMs: number,
    maxBytesPerSession?: number,
  ): Promise<string> {
    const expiresAt = Date.now() + ttlMs;
    const maxBytes =
      typeof maxBytesPerSession === "number" && maxBytesPerSession > 0
        ? maxBytesPerSession
        : DEFAULT_MAX_BYTES_PER_SESSION;
    const id = appendEvent(this.#sql, this.#writable(), session, stream, message, expiresAt, maxBytes);
    await this.#expireBy(expiresAt);
    return id;
  }

  replayEvents(session: string, lastEventId: string): ReplayRows | null {
    if (this.#tag === undefined) return null;
    return replayEvents(this.#sql, this.#tag, session, lastEventId, Date.now()) ?? null;
  }

  trimEvents(session: string, stream?: string): void {
    if (this.#tag !== undefined) trimEvents(this.#sql, session, stream);
  }

  // --- RateLimitStore -------------------------------------------------------------------------

  /**
   * Takes `bucket.cost` tokens from the bucket stored under `key` (its `storeKeyText`), by the
   * object's clock: the bucket's row is read and, when admitted, written in one synchronous step,
   * so the object's single thread makes each take atomic. The row is kept until the bucket is full
   * again, and the alarm deletes it then.
   */
  async takeToken(key: string, bucket: TokenBucket): Promise<TokenTake> {
    assertTokenBucket(bucket);
    this.#writable();
    const { take, expiresAt } = takeLimit(this.#sql, key, bucket, Date.now());
    if (expiresAt !== undefined) await this.#expireBy(expiresAt);
    return take;
  }

  // --- Bus ------------------------------------------------------------------------------------

  /** Sends `message` (JSON text) to every subscriber of `topic`; resolves how many there were. */
  publish(topic: string, message: string): number {
    return sendToSubscribers(this.ctx, topic, message);
  }

  /** A subscription: `GET <SUBSCRIBE_URL>?topic=…` with `Upgrade: websocket`. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const topic = url.searchParams.get("topic");
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket" || topic === null) {
      return new Response("Expected a WebSocket upgrade with ?topic=", { status: 426 });
    }
    return new Response(null, { status: 101, webSocket: acceptSubscriber(this.ctx, topic) });
  }

  override webSocketMessage(): void {
    // Subscribers only listen; anything they send is ignored.
  }

  override webSocketClose(socket: WebSocket, code: number): void {
    closeSubscriber(socket, code);
  }

  override webSocketError(socket: WebSocket): void {
    closeSubscriber(socket, 1011);
  }

  // --- Expiry ---------------------------------------------------------------------------------

  /** Drops what expired; an object left with nothing stored deletes its storage altogether. */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    if (this.#tag === undefined) return;
    const next = sweep(this.#sql, Date.now());
    if (next !== undefined) {
      await this.#expireBy(next);
      return;
    }
    await this.ctx.storage.deleteAll();
    // No tables until the next write, which makes a new tag: no event id from before can match.
    this.#tag = undefined;
  }

  /**
   * Makes sure an alarm fires shortly after `expiresAt`, or {@link MAX_ALARM_AHEAD_MS} from now if
   * that is sooner (the alarm then sets the next one).
   */
  async #expireBy(expiresAt: number): Promise<void> {
    const at = Math.min(expiresAt + 1, Date.now() + MAX_ALARM_AHEAD_MS);
    if (this.#alarmAt === undefined) this.#alarmAt = await this.ctx.storage.getAlarm();
    if (this.#alarmAt !== null && this.#alarmAt <= at) return;
    this.#alarmAt = at;
    await this.ctx.storage.setAlarm(this.#alarmAt);
  }
}
