/**
 * The legacy era's only path to the stores: session records, the event log of its streams and
 * their wake-ups, the server→client reply mailbox, and cancellation — all kept in the stores, so
 * any instance can serve any request of any session.
 */
import type { SessionFields } from "../definition/method.ts";
import type { LogLevel } from "../jsonrpc/protocol.ts";
import { keys, topics } from "../stores/keys.ts";
import type { JsonValue, StoredEvent, StoreKey, Stores, Subscription } from "../stores/types.ts";
import { keepCaller } from "./_callers.ts";
import { type CensusPlace, slideCount } from "./_census.ts";

export interface SessionState extends SessionFields {
  protocolVersion: string;
  /** Who created the session (`principalOf`); only the same caller may use it. Absent: anonymous. */
  principal?: string | null;
  /** Epoch ms of `initialize` (for `sessionMaxLifetimeMs`). */
  createdAt?: number;
  /** The caller the session is counted under (`maxSessionsPerCaller`), if any. */
  caller?: string;
  /** Where the session is counted toward `maxSessions` (`_census.ts`), if it is. */
  census?: CensusPlace;
  clientCapabilities: Record<string, unknown>;
  clientInfo: Record<string, unknown> | null;
  logLevel: LogLevel | null;
  subscriptions: string[];
  /** Set by the one DELETE that closes the session, just before its record goes: it is gone. */
  closed?: true;
}

export async function createSession(
  stores: Stores,
  id: string,
  state: SessionState,
  ttlMs: number,
): Promise<boolean> {
  return stores.sessions.create(keys.session(id), state as unknown as JsonValue, ttlMs);
}

export async function loadSession(
  stores: Stores,
  id: string,
): Promise<{ state: SessionState; version: number; expiresAt: number } | undefined> {
  const record = await stores.sessions.get(keys.session(id));
  if (record === undefined) return undefined;
  return {
    state: record.value as unknown as SessionState,
    version: record.version,
    expiresAt: record.expiresAt,
  };
}

/**
 * The session `id` as its creator sees it: `undefined` when it is unknown, expired, or bound to
 * another principal than `principal` — a caller cannot tell someone else's session from none.
 */
export async function openSession(
  stores: Stores,
  id: string,
  principal: string | null,
  lifetime: SessionLifetime,
): Promise<{ state: SessionState; version: number; expiresAt: number } | undefined> {
  const session = await loadSession(stores, id);
  if (session === undefined || !belongsTo(session.state, principal)) return undefined;
  const now = Date.now();
  const ttl = sessionTtl(session.state, lifetime, now);
  if (ttl <= 0) return undefined; // past its absolute maximum: gone, as if expired
  // Sliding expiry, amortised: a session is written back only once half its idle lifetime has
  // passed since the last write, so a busy session costs one extra write per half lifetime.
  if (session.expiresAt - now < lifetime.idleMs / 2 && ttl > session.expiresAt - now) {
    const move = slid(session.state, lifetime, now + ttl);
    const value = move.state as unknown as JsonValue;
    if (await stores.sessions.update(keys.session(id), session.version, value, ttl).catch(() => false))
      await move.commit(stores);
  }
  return session;
}

/**
 * `state` with its expiry moved to `expiresAt`: its place in the census moves along, and its
 * caller's record (`maxSessionsPerCaller`) lives at least as long — both once `commit` runs, after
 * the session's own write succeeded.
 */
function slid(
  state: SessionState,
  lifetime: SessionLifetime,
  expiresAt: number,
): { state: SessionState; commit: (stores: Stores) => Promise<void> } {
  const move = slideCount(state, lifetime, expiresAt);
  const caller = state.caller;
  if (caller === undefined) return move;
  return {
    state: move.state,
    commit: async (stores) => {
      await move.commit(stores);
      await keepCaller(stores, caller, expiresAt).catch(() => undefined);
    },
  };
}

/** A live (not closing) session of `principal`. */
function belongsTo(state: SessionState, principal: string | null): boolean {
  return state.closed !== true && (state.principal ?? null) === principal;
}

/**
 * Closes session `id` for its creator: marks its record closed by compare-and-set, so that of
 * concurrent DELETEs exactly one wins (and releases the session's places in the counts once). The
 * state as it was when this DELETE won, or `undefined` when the session is unknown, someone
 * else's, or another DELETE closed it first. The winner then calls {@link deleteSession}; a later
 * DELETE of a record left closed (a DELETE that failed after winning) does that again — it is
 * idempotent — so the session's streams and calls still hear of its end.
 */
export async function closeSession(
  stores: Stores,
  id: string,
  principal: string | null,
): Promise<SessionState | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const session = await loadSession(stores, id);
    if (session === undefined || (session.state.principal ?? null) !== principal) return undefined;
    if (session.state.closed === true) {
      await deleteSession(stores, id);
      return undefined;
    }
    const closing = { ...session.state, closed: true } as unknown as JsonValue;
    const ttl = Math.max(1, session.expiresAt - Date.now());
    if (await stores.sessions.update(keys.session(id), session.version, closing, ttl)) return session.state;
  }
  throw new Error("session close kept conflicting");
}

/** How long a legacy session lives: idle lifetime, and an optional absolute maximum. */
export interface SessionLifetime {
  idleMs: number;
  maxMs: number | undefined;
}

/** The lifetime to write for `state` now: the idle lifetime, capped by what the maximum leaves. */
export function sessionTtl(state: SessionState, lifetime: SessionLifetime, now: number): number {
  if (lifetime.maxMs === undefined || state.createdAt === undefined) return lifetime.idleMs;
  return Math.min(lifetime.idleMs, state.createdAt + lifetime.maxMs - now);
}

/** Applies `change` with compare-and-set, retrying on conflicts. `false` if the session is gone. */
export async function updateSession(
  stores: Stores,
  id: string,
  lifetime: SessionLifetime,
  change: (state: SessionState) => SessionState | undefined,
): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await loadSession(stores, id);
    if (current === undefined) return false;
    const next = change(current.state);
    // `undefined`: nothing to change in the record as stored, so nothing is written
    if (next === undefined) return true;
    const now = Date.now();
    const ttl = sessionTtl(next, lifetime, now);
    if (ttl <= 0) return false;
    // The write slides the expiry: the session's place in the count moves along.
    const move = slid(next, lifetime, now + ttl);
    if (
      await stores.sessions.update(keys.session(id), current.version, move.state as unknown as JsonValue, ttl)
    ) {
      await move.commit(stores);
      return true;
    }
  }
  throw new Error("session update kept conflicting");
}

/**
 * Tells every instance that session `id` ended (its streams and waiting calls end), then deletes its
 * record and trims its event log. In that order: should any step fail, the record — marked closed
 * by `closeSession`, so gone for every request — is still there for a DELETE sent again to redo them.
 */
export async function deleteSession(stores: Stores, id: string): Promise<void> {
  await stores.bus.publish(topics.session(id), { type: "closed" });
  await stores.sessions.delete(keys.session(id));
  await stores.events.trim(id);
}

/** What a reply mailbox holds until the client's reply replaces it. */
const AWAITING = { awaiting: true } as const;

/**
 * Stores a client's reply in the mailbox of the server request it answers, then wakes whoever
 * waits for it (on any instance). `false` (nothing stored) when no such request awaits a reply:
 * made-up, answered or expired ids cannot make the server hold anything.
 */
export async function deliverReply(
  stores: Stores,
  sessionId: string,
  message: JsonValue & object,
  ttlMs: number,
  onError: (error: unknown) => void,
): Promise<boolean> {
  const id = (message as { id: string | number }).id;
  const key = keys.reply(sessionId, id);
  const mailbox = await stores.sessions.get(key);
  if (mailbox === undefined || (mailbox.value as { awaiting?: unknown }).awaiting !== true) return false;
  if (!(await stores.sessions.update(key, mailbox.version, message, ttlMs))) return false;
  // The reply is stored: it is the client's answer, whatever becomes of the wake-up (the waiting
  // side also looks at its mailbox every REPLY_POLL_MS), so a failed publish is reported, not refused.
  await stores.bus.publish(topics.reply(sessionId, id), { type: "reply" }).catch(onError);
  return true;
}

/**
 * How often a call waiting for the client's reply reads its mailbox besides the bus's wake-up: a
 * wake-up lost (the bus delivers at most once) delays the answer by this much, never loses it.
 */
export const REPLY_POLL_MS = 1000;

/**
 * Opens the mailbox for the client's reply to server request `id` (before the request is sent),
 * and gives the wait for it: it rejects on abort, and the mailbox goes either way. A failure to
 * unsubscribe once the wait is over goes to `onError`.
 */
export async function awaitReply(
  stores: Stores,
  sessionId: string,
  id: string | number,
  signal: AbortSignal,
  ttlMs: number,
  onError: (error: unknown) => void,
): Promise<{ reply: Promise<Record<string, unknown>> }> {
  const key = keys.reply(sessionId, id);
  await stores.sessions.create(key, AWAITING, ttlMs);
  return { reply: waitForReply(stores, sessionId, id, key, signal, onError) };
}

function waitForReply(
  stores: Stores,
  sessionId: string,
  id: string | number,
  key: StoreKey,
  signal: AbortSignal,
  onError: (error: unknown) => void,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let done = false;
    let unsubscribe: (() => Promise<void>) | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    const finish = (error: unknown, value?: Record<string, unknown>) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      signal.removeEventListener("abort", onAbort);
      unsubscribe?.().catch(onError);
      void stores.sessions.delete(key).catch(() => {});
      if (error !== undefined) reject(error);
      else resolve(value as Record<string, unknown>);
    };
    const check = async () => {
      const record = await stores.sessions.get(key);
      const value = record?.value as Record<string, unknown> | undefined;
      if (value !== undefined && value.awaiting !== true) finish(undefined, value);
    };
    const onAbort = () => finish(signal.reason ?? new Error("aborted"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    poll = setInterval(() => {
      if (unsubscribe !== undefined) check().catch(() => {}); // a store hiccup: the next poll, or the wake-up
    }, REPLY_POLL_MS);
    (poll as { unref?: () => void }).unref?.();
    stores.bus
      .subscribe(topics.reply(sessionId, id), () => {
        check().catch((e) => finish(e));
      })
      .then((sub) => {
        unsubscribe = () => sub.unsubscribe();
        if (done) sub.unsubscribe().catch(onError);
        return check();
      })
      .catch((e) => finish(e));
  });
}

/**
 * Listens for the client cancelling request `id` of `sessionId` (from any instance, via the bus)
 * once `start()` is called — when the handler first looks at its signal or asks the client for
 * input. A handler that never observes its signal cannot react to cancellation, so its request
 * spares the bus a subscribe/unsubscribe round trip. `watchSession()` also listens for the
 * session's end (DELETE) — for a call that waits for the client's reply — and `ready()` settles once
 * what was started is subscribed (or failed, reported).
 */
export function cancelListener(
  stores: Stores,
  sessionId: string,
  id: string | number,
  onCancel: (reason: "cancelled" | "session closed") => void,
  onError: (error: unknown) => void,
): { start(): void; watchSession(): void; ready(): Promise<void>; stop(): void } {
  let state: "idle" | "listening" | "stopped" = "idle";
  const subscriptions: Promise<Subscription | undefined>[] = [];
  let watching = false;
  const add = (subscribing: Promise<Subscription>) =>
    subscriptions.push(
      subscribing.catch((error: unknown) => {
        onError(error);
        return undefined;
      }),
    );
  const listener = {
    start() {
      if (state !== "idle") return;
      state = "listening";
      add(stores.bus.subscribe(topics.cancel(sessionId, id), () => onCancel("cancelled")));
    },
    watchSession() {
      listener.start();
      if (state !== "listening" || watching) return;
      watching = true;
      add(watchSessionEnd(stores, sessionId, () => onCancel("session closed")));
    },
    async ready() {
      await Promise.all(subscriptions);
    },
    stop() {
      state = "stopped";
      void Promise.all(subscriptions)
        .then((subs) => Promise.all(subs.map((sub) => sub?.unsubscribe())))
        .catch(onError);
    },
  };
  return listener;
}

/**
 * Appends `message` (`null`: a priming event) to a stream of the session and wakes whoever follows
 * that stream on another instance. The wake-up is not awaited (the event is stored) but kept alive
 * with `waitUntil`: hosts like Workers cancel work nobody waits for.
 */
export async function appendEvent(
  stores: Stores,
  sessionId: string,
  streamId: string,
  message: JsonValue | null,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<string> {
  const id = await stores.events.append(sessionId, streamId, message);
  if (message !== null && waitUntil !== undefined)
    waitUntil(stores.bus.publish(topics.stream(sessionId, streamId), { type: "event" }));
  return id;
}

/** The events of the stream `lastEventId` belongs to, after it (`undefined`: unknown to this session). */
export function replayEvents(
  stores: Stores,
  sessionId: string,
  lastEventId: string,
): Promise<{ streamId: string; events: StoredEvent[] } | undefined> {
  return stores.events.replay(sessionId, lastEventId);
}

/** Tells the instance serving request `id` of the session that the client cancelled it. */
export function cancelRequest(stores: Stores, sessionId: string, id: string | number): Promise<void> {
  return stores.bus.publish(topics.cancel(sessionId, id), { type: "cancel" });
}

/** Calls `onEvent` whenever a stream of the session gets a new event (on any instance). */
export function watchStream(
  stores: Stores,
  sessionId: string,
  streamId: string,
  onEvent: () => void,
): Promise<Subscription> {
  return stores.bus.subscribe(topics.stream(sessionId, streamId), onEvent);
}

/**
 * Calls `onClosed` when the session is deleted (on any instance), and `onStandalone` with the
 * token of each standalone notification stream the session opens (see {@link announceStandalone}).
 */
export function watchSessionEnd(
  stores: Stores,
  sessionId: string,
  onClosed: () => void,
  onStandalone?: (token: string) => void,
): Promise<Subscription> {
  return stores.bus.subscribe(topics.session(sessionId), (event) => {
    const e = event as { type?: string; token?: unknown };
    if (e.type === "closed") onClosed();
    else if (e.type === "standalone" && typeof e.token === "string") onStandalone?.(e.token);
  });
}

/**
 * Tells every instance that a standalone stream of the session opened (`token`, its own): the
 * newest one carries the session's notifications, the others stay open quiet — a message goes out
 * on one stream only (2025-11-25 transports, Multiple Connections), whichever instance holds each.
 */
export function announceStandalone(stores: Stores, sessionId: string, token: string): Promise<void> {
  return stores.bus.publish(topics.session(sessionId), { type: "standalone", token });
}

/** Calls `onEvent` with every server event (list changes, resource updates) from any instance. */
export function watchServerEvents(
  stores: Stores,
  onEvent: (event: JsonValue) => void,
): Promise<Subscription> {
  return stores.bus.subscribe(topics.broadcast, onEvent);
}

/** The session lifetime a handler's options give. */
export function lifetimeOf(rt: {
  options: { sessionTtlMs: number; sessionMaxLifetimeMs: number | undefined };
}): SessionLifetime {
  return { idleMs: rt.options.sessionTtlMs, maxMs: rt.options.sessionMaxLifetimeMs };
}
