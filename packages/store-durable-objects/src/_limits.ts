/**
 * The SQLite side of a rate-limit bucket (RateLimitStore): one `portico_limits` row per bucket with
 * its theoretical arrival time (`tat`, see `takeToken` in `@portico/core`) and when the row may go.
 * A take reads and writes the row in the same synchronous code, inside one Durable Object event, so
 * concurrent takes on the bucket run one after the other and never admit more than it holds.
 *
 * Expiry is that of the records: an admitted take keeps its row for the `ttlMs` `takeToken` gives
 * (until the bucket is full again), the object's alarm deletes expired rows, and a take ignores an
 * expired row (no state: a full bucket). A denied take writes nothing.
 */
import { type TokenBucket, type TokenTake, takeToken } from "@portico/core";

/** The bucket table. `IF NOT EXISTS`, so it is added to storage created by earlier versions. */
export const LIMIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS portico_limits (
  key TEXT PRIMARY KEY,
  tat REAL NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

/** What a take decided, and when its row expires if it wrote one. */
export interface LimitStep {
  take: TokenTake;
  /** Admitted: the new expiry of the bucket's row (epoch ms). */
  expiresAt?: number;
}

/** Takes `bucket.cost` tokens from the bucket stored under `key` (its `storeKeyText`), at `now`. */
export function takeLimit(sql: SqlStorage, key: string, bucket: TokenBucket, now: number): LimitStep {
  const row = sql
    .exec<{ tat: number }>("SELECT tat FROM portico_limits WHERE key = ? AND expires_at >= ?", key, now)
    .toArray()[0];
  const step = takeToken(row?.tat, now, bucket);
  const take: TokenTake = {
    allowed: step.allowed,
    remaining: step.remaining,
    retryAfterMs: step.retryAfterMs,
    resetAfterMs: step.resetAfterMs,
  };
  if (step.tat === undefined || step.ttlMs === undefined) return { take };
  const expiresAt = now + step.ttlMs;
  sql.exec(
    `INSERT INTO portico_limits (key, tat, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (key) DO UPDATE SET tat = excluded.tat, expires_at = excluded.expires_at`,
    key,
    step.tat,
    expiresAt,
  );
  return { take, expiresAt };
}

/** Drops every expired bucket (each is full again: no state needed). */
export function sweepLimits(sql: SqlStorage, now: number): void {
  sql.exec("DELETE FROM portico_limits WHERE expires_at < ?", now);
}
