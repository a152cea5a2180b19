/** The resolved handler configuration every era module works with. */

import type { McpServer } from "../definition/server.ts";
import type { AuthInfo, ExecutionContextLike } from "../definition/types.ts";
import type { ErrorReporter } from "../errors.ts";
import type { Stores } from "../stores/types.ts";
import { MAX_TIMER_MS } from "../util/timer.ts";
import type { SessionSlots } from "./session-slots.ts";

export interface ResolvedOptions {
  /** Used MRTR `requestState`s one caller may hold (`modern/_mrtr.ts`). */
  maxRequestStatesPerCaller: number;
  maxBodyBytes: number;
  maxJsonDepth: number;
  maxJsonItems: number;
  keepAliveMs: number;
  sessionTtlMs: number;
  maxStreamsPerSession: number;
  maxPendingReplies: number;
  maxSessionsPerCaller: number;
  maxSessions: number;
  leaseMs: number;
  sessionMaxLifetimeMs: number | undefined;
  replyTimeoutMs: number;
  requestStateTtlMs: number;
  retryMs: number;
  maxStreamMs: number | undefined;
  deadlineMarginMs: number;
  cache: { ttlMs: number; scope: "public" | "private" };
  legacy: boolean;
  modern: boolean;
  /** Seals MRTR `requestState` (see `HandlerOptions.secret`); `undefined`: a random one per handler. */
  secret: string | Uint8Array | undefined;
}

export interface Runtime {
  server: McpServer;
  stores: Stores;
  options: ResolvedOptions;
  report: ErrorReporter;
  /** Open legacy streams per session on this instance (`maxStreamsPerSession`). */
  streams: SessionSlots;
  /** Server→client requests awaiting a reply per session on this instance (`maxPendingReplies`). */
  replies: SessionSlots;
}

/**
 * The 2025-era protocol as a module the handler is built with (`createHandler` passes it,
 * `createModernHandler` does not, so a 2026-07-28-only bundle holds none of its code).
 */
export interface LegacyEra {
  /** A POST whose body is not a 2026-07-28 message: `initialize`, or a message of a session. */
  post(rt: Runtime, incoming: Incoming, body: unknown): Promise<Response>;
  /** A GET carrying `Mcp-Session-Id`: the session's stream, or a resumed one. */
  get(rt: Runtime, incoming: Incoming): Promise<Response>;
  /** A DELETE carrying `Mcp-Session-Id`: ends the session. */
  delete(rt: Runtime, incoming: Incoming): Promise<Response>;
  /** The stores used when `options.stores` is absent (made on first use; they include `limits`). */
  defaultStores(): Stores;
}

/** Everything about one HTTP request an era module needs besides the body. */
export interface Incoming {
  request: Request;
  env: unknown;
  host: ExecutionContextLike;
  auth: AuthInfo | undefined;
}

export function waitUntilOf(incoming: Incoming): (promise: Promise<unknown>) => void {
  return (promise) => {
    const guarded = promise.catch(() => {});
    incoming.host.waitUntil?.(guarded);
  };
}

/** The shortest a stream lives when its caller's token is already past its expiry (an authenticator's leeway). */
const MIN_TOKEN_STREAM_MS = 1_000;

/**
 * Calls `end` when a long-lived stream must end: on the host's shutdown signal, at its deadline
 * (minus the margin), after `maxStreamMs`, or when the caller's token expires (`auth.expiresAt`; at
 * the earliest a second after opening, so a token accepted within a leeway cannot make a reconnect
 * loop). Returns the function that stops watching.
 */
export function whenToEnd(rt: Runtime, incoming: Incoming, end: () => void): () => void {
  const signals: AbortSignal[] = [];
  if (incoming.host.signal) signals.push(incoming.host.signal);
  const now = Date.now();
  const expiresAt = incoming.auth?.expiresAt;
  const limits = [
    rt.options.maxStreamMs,
    incoming.host.deadline ? incoming.host.deadline - now - rt.options.deadlineMarginMs : undefined,
    typeof expiresAt === "number" && Number.isFinite(expiresAt)
      ? Math.max(MIN_TOKEN_STREAM_MS, expiresAt * 1000 - now)
      : undefined,
  ].filter((v): v is number => v !== undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ms = Math.max(0, Math.min(...limits));
  // Past a timer's range (a token valid for months) there is nothing to arm: Node would fire at once.
  if (limits.length > 0 && ms <= MAX_TIMER_MS) timer = setTimeout(end, ms);
  const onAbort = () => end();
  for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const s of signals) s.removeEventListener("abort", onAbort);
  };
}
