/**
 * Whether a new legacy session may open: the caller's own cap (`maxSessionsPerCaller`, 429) and
 * the server's (`maxSessions`, 503), both shared by every instance on the same stores — and
 * giving the places back when the session is DELETEd.
 */
import type { Runtime } from "../call/runtime.ts";
import { ErrorCode } from "../errors.ts";
import { httpError } from "../http/responses.ts";
import { admitSession, callerOf, releaseSession } from "./_callers.ts";
import { bucketMs, count, uncount } from "./_census.ts";
import { lifetimeOf, type SessionState, sessionTtl } from "./_session.ts";

/**
 * Takes the places `state`'s session needs (recording them in `state`), or answers the refusal
 * (its JSON-RPC error carries `id`).
 */
export async function admit(
  rt: Runtime,
  state: SessionState,
  sessionId: string,
  clientAddress: string | undefined,
  id: string | number,
): Promise<Response | undefined> {
  const lifetime = lifetimeOf(rt);
  const caller = Number.isFinite(rt.options.maxSessionsPerCaller)
    ? callerOf(state.principal ?? null, clientAddress)
    : undefined;
  if (caller !== undefined) {
    const limit = rt.options.maxSessionsPerCaller;
    if (!(await admitSession(rt.stores, caller, sessionId, limit, lifetime.idleMs))) {
      return httpError(
        429,
        ErrorCode.InvalidRequest,
        `Too Many Requests: this caller already holds ${limit} open sessions; end some with DELETE or let them expire`,
        { id, headers: { "retry-after": "60" } },
      );
    }
    state.caller = caller;
  }
  const max = rt.options.maxSessions;
  if (!Number.isFinite(max)) return undefined;
  const now = Date.now();
  const expiresAt = now + sessionTtl(state, lifetime, now);
  const counted = await count(rt.stores, max, expiresAt, bucketMs(lifetime.idleMs));
  if (typeof counted === "number") {
    state.census = counted;
    return undefined;
  }
  if (caller !== undefined) await releaseSession(rt.stores, caller, sessionId, lifetime.idleMs);
  return httpError(
    503,
    ErrorCode.InternalError,
    counted === "full"
      ? `Service Unavailable: the server holds its most open sessions (${max}, maxSessions); try again later`
      : "Service Unavailable: too many sessions are opening at once; try again shortly",
    { id, headers: { "retry-after": counted === "full" ? "30" : "1" } },
  );
}

/** Gives back the places a DELETEd session held (best effort: stale places drop out by themselves). */
export async function release(rt: Runtime, sessionId: string, state: SessionState): Promise<void> {
  if (state.caller !== undefined) {
    await releaseSession(rt.stores, state.caller, sessionId, lifetimeOf(rt).idleMs);
  }
  if (state.census !== undefined) await uncount(rt.stores, state.census);
}
