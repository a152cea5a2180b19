/**
 * Open legacy sessions per caller, bounded (`maxSessionsPerCaller`). A caller is its principal
 * when authenticated, else the address the platform saw (`ctx.clientAddress`, grouped by
 * `addressGroup`: an IPv6 address by its /64); a caller the server cannot tell apart is not
 * counted. One record per caller in the session store lists its sessions; when the list is full,
 * its entries are checked against the session records (sessions that expired or were deleted drop
 * out) before a new one is refused. The record is written with compare-and-set, so instances
 * sharing the store share the count. It must outlive the sessions it lists: a session in use slides
 * its expiry, and the record's slides with it ({@link keepCaller}), else its count would start
 * again from nothing while its sessions live on.
 */

import { keys } from "../stores/keys.ts";
import type { JsonValue, Stores } from "../stores/types.ts";

interface CallerRecord {
  /** Session id → creation time (epoch ms). */
  sessions: Record<string, number>;
}

/** Adds `sessionId` to `caller`'s sessions; `false` when the caller already holds `limit` live ones. */
export async function admitSession(
  stores: Stores,
  caller: string,
  sessionId: string,
  limit: number,
  ttlMs: number,
): Promise<boolean> {
  const key = keys.callerSessions(caller);
  for (let attempt = 0; attempt < 8; attempt++) {
    const stored = await stores.sessions.get(key);
    const sessions = { ...((stored?.value as unknown as CallerRecord | undefined)?.sessions ?? {}) };
    if (Object.keys(sessions).length >= limit) {
      const ids = Object.keys(sessions);
      const live = await Promise.all(ids.map((id) => stores.sessions.get(keys.session(id))));
      ids.forEach((id, i) => {
        if (live[i] === undefined) delete sessions[id];
      });
      if (Object.keys(sessions).length >= limit) return false;
    }
    sessions[sessionId] = Date.now();
    const value = { sessions } as unknown as JsonValue;
    const written =
      stored === undefined
        ? await stores.sessions.create(key, value, ttlMs)
        : await stores.sessions.update(key, stored.version, value, ttlMs);
    if (written) return true;
  }
  return false;
}

/** Removes `sessionId` from `caller`'s sessions (best effort: a stale entry drops out when checked). */
export async function releaseSession(stores: Stores, caller: string, sessionId: string, ttlMs: number) {
  const key = keys.callerSessions(caller);
  for (let attempt = 0; attempt < 4; attempt++) {
    const stored = await stores.sessions.get(key);
    const record = stored?.value as unknown as CallerRecord | undefined;
    if (stored === undefined || record?.sessions[sessionId] === undefined) return;
    const { [sessionId]: _gone, ...rest } = record.sessions;
    if (await stores.sessions.update(key, stored.version, { sessions: rest } as unknown as JsonValue, ttlMs))
      return;
  }
}

/**
 * Keeps `caller`'s record at least until `expiresAt` (epoch ms), when one of its sessions slid its
 * own expiry there (best effort: a write that conflicts was another one, which moved it too).
 */
export async function keepCaller(stores: Stores, caller: string, expiresAt: number): Promise<void> {
  const key = keys.callerSessions(caller);
  const stored = await stores.sessions.get(key);
  if (stored === undefined || stored.expiresAt >= expiresAt) return;
  await stores.sessions.update(key, stored.version, stored.value, Math.max(1, expiresAt - Date.now()));
}
