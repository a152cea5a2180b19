/**
 * Whether a new legacy session may open: what it would keep of the client fits a session record
 * (`MAX_CLIENT_STATE_NODES`, 400), the caller's own cap (`maxSessionsPerCaller`, 429) and the
 * server's (`maxSessions`, 503), both shared by every instance on the same stores — and giving the
 * places back when the session is DELETEd.
 */
import type { Runtime } from "../call/runtime.ts";
import { ErrorCode } from "../errors.ts";
import { callerKey } from "../http/caller-address.ts";
import { RefusedError } from "../http/refused.ts";
import { admitSession, releaseSession } from "./_callers.ts";
import { bucketMs, count, uncount } from "./_census.ts";
import { lifetimeOf, type SessionState, sessionTtl } from "./_session.ts";

/**
 * Most JSON values (objects, arrays, strings, numbers, booleans and nulls, at any depth) a session
 * keeps of the client's `capabilities` and `clientInfo` together, besides their characters
 * (`MAX_CLIENT_STATE_CHARS`, 64 KiB): every write of the session record copies or serialises them,
 * so their count bounds what each write costs. Real clients send a few dozen.
 */
export const MAX_CLIENT_STATE_NODES = 1000;

/** Whether `roots` hold more than `max` JSON values in all; stops counting as soon as they do. */
function moreValuesThan(roots: unknown[], max: number): boolean {
  const pending = [...roots];
  let count = pending.length;
  if (count > max) return true;
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value !== "object" || value === null) continue;
    if (Array.isArray(value)) {
      count += value.length;
      if (count > max) return true;
      for (const item of value) pending.push(item);
    } else {
      for (const key in value) {
        if (++count > max) return true;
        pending.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

/**
 * Takes the places `state`'s session needs (recording them in `state`), or says why it may not
 * open (not thrown: the caller decides).
 */
export async function admit(
  rt: Runtime,
  state: SessionState,
  sessionId: string,
  clientAddress: string | undefined,
): Promise<RefusedError | undefined> {
  const client =
    state.clientInfo === null ? [state.clientCapabilities] : [state.clientCapabilities, state.clientInfo];
  if (moreValuesThan(client, MAX_CLIENT_STATE_NODES)) {
    return new RefusedError(
      400,
      ErrorCode.InvalidParams,
      `Invalid params: capabilities and clientInfo hold more than ${MAX_CLIENT_STATE_NODES} JSON values; a session keeps at most ${MAX_CLIENT_STATE_NODES}`,
    );
  }
  const lifetime = lifetimeOf(rt);
  const caller = Number.isFinite(rt.options.maxSessionsPerCaller)
    ? callerKey(state.principal ?? null, clientAddress)
    : undefined;
  if (caller !== undefined) {
    const limit = rt.options.maxSessionsPerCaller;
    if (!(await admitSession(rt.stores, caller, sessionId, limit, lifetime.idleMs))) {
      return new RefusedError(
        429,
        ErrorCode.InvalidRequest,
        `Too Many Requests: this caller already holds ${limit} open sessions; end some with DELETE or let them expire`,
        { headers: { "retry-after": "60" } },
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
  return new RefusedError(
    503,
    ErrorCode.InternalError,
    counted === "full"
      ? `Service Unavailable: the server holds its most open sessions (${max}, maxSessions); try again later`
      : "Service Unavailable: too many sessions are opening at once; try again shortly",
    { headers: { "retry-after": counted === "full" ? "30" : "1" } },
  );
}

/** Gives back the places a DELETEd session held (best effort: stale places drop out by themselves). */
export async function release(rt: Runtime, sessionId: string, state: SessionState): Promise<void> {
  if (state.caller !== undefined) {
    await releaseSession(rt.stores, state.caller, sessionId, lifetimeOf(rt).idleMs);
  }
  if (state.census !== undefined) await uncount(rt.stores, state.census);
}
