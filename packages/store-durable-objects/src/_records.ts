/**
 * The SQLite side of a session object: the schema, the record table (SessionStore) and expiry (the
 * event log is in `_events.ts`, rate-limit buckets in `_limits.ts`). Plain functions over
 * `ctx.storage.sql`; every call is synchronous and runs inside one Durable Object event, so each
 * compare-and-set is atomic without a lock.
 */
import { EVENT_SCHEMA, sweepEvents } from "./_events.ts";
import { LIMIT_SCHEMA, sweepLimits } from "./_limits.ts";

/** A record as the object returns it over RPC: the value stays JSON text until the Worker parses it. */
export interface RecordRow {
  value: string;
  version: number;
  expiresAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS portico_records (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS portico_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * Whether this object's storage holds the schema. Tables are created on the first write only:
 * empty tables are billed storage too (until `deleteAll()`), and a read may name any object.
 */
export function hasSchema(sql: SqlStorage): boolean {
  return (
    sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'portico_meta'").toArray().length >
    0
  );
}

/**
 * Creates the tables (and index) that are absent, including those added since the storage was
 * created; returns this object's event-id tag (a new random one for new storage).
 */
export function ensureSchema(sql: SqlStorage): string {
  sql.exec(SCHEMA);
  sql.exec(EVENT_SCHEMA);
  sql.exec(LIMIT_SCHEMA);
  const existing = sql.exec<{ value: string }>("SELECT value FROM portico_meta WHERE name = 'tag'").toArray();
  if (existing[0] !== undefined) return existing[0].value;
  const tag = randomTag();
  sql.exec("INSERT INTO portico_meta (name, value) VALUES ('tag', ?), ('seq', '0')", tag);
  return tag;
}

function randomTag(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function getRecord(sql: SqlStorage, key: string, now: number): RecordRow | undefined {
  const row = sql
    .exec<{ value: string; version: number; expires_at: number }>(
      "SELECT value, version, expires_at FROM portico_records WHERE key = ? AND expires_at >= ?",
      key,
      now,
    )
    .toArray()[0];
  return row === undefined
    ? undefined
    : { value: row.value, version: row.version, expiresAt: row.expires_at };
}

/** Inserts unless a live record exists (an expired one is replaced). */
export function createRecord(sql: SqlStorage, key: string, value: string, expiresAt: number, now: number) {
  const cursor = sql.exec(
    `INSERT INTO portico_records (key, value, version, expires_at) VALUES (?, ?, 1, ?)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = 1, expires_at = excluded.expires_at
     WHERE portico_records.expires_at < ?`,
    key,
    value,
    expiresAt,
    now,
  );
  return cursor.rowsWritten > 0;
}

/** Compare-and-set on the version of a live record. */
export function updateRecord(
  sql: SqlStorage,
  key: string,
  expectedVersion: number,
  value: string,
  expiresAt: number,
  now: number,
): boolean {
  const cursor = sql.exec(
    `UPDATE portico_records SET value = ?, version = version + 1, expires_at = ?
     WHERE key = ? AND version = ? AND expires_at >= ?`,
    value,
    expiresAt,
    key,
    expectedVersion,
    now,
  );
  return cursor.rowsWritten > 0;
}

export function deleteRecord(sql: SqlStorage, key: string): void {
  sql.exec("DELETE FROM portico_records WHERE key = ?", key);
}

/** Drops every expired row; returns the earliest expiry still stored, or `undefined` when none is left. */
export function sweep(sql: SqlStorage, now: number): number | undefined {
  sql.exec("DELETE FROM portico_records WHERE expires_at < ?", now);
  sweepEvents(sql, now);
  sweepLimits(sql, now);
  const next = sql
    .exec<{ at: number | null }>(
      `SELECT MIN(at) AS at FROM (
         SELECT MIN(expires_at) AS at FROM portico_records
         UNION ALL SELECT MIN(expires_at) AS at FROM portico_events
         UNION ALL SELECT MIN(expires_at) AS at FROM portico_limits
       )`,
    )
    .one().at;
  return next ?? undefined;
}
