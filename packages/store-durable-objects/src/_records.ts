/**
 * The SQLite side of a session object: the record table (SessionStore), the event table
 * (EventStore) and their expiry. Plain functions over `ctx.storage.sql`; every call is synchronous
 * and runs inside one Durable Object event, so each compare-and-set is atomic without a lock.
 */
import { splitEventId } from "@portico/core";

/** A record as the object returns it over RPC: the value stays JSON text until the Worker parses it. */
export interface RecordRow {
  value: string;
  version: number;
  expiresAt: number;
}

/** What `replay` returns over RPC. */
export interface ReplayRows {
  streamId: string;
  events: { id: string; message: string }[];
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS portico_records (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS portico_events (
  session TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  message TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (session, stream, seq)
);
CREATE TABLE IF NOT EXISTS portico_meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** Creates the tables if absent; returns this object's event-id tag (new random one for new storage). */
export function ensureSchema(sql: SqlStorage): string {
  sql.exec(SCHEMA);
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

/** Appends an event under the object's next sequence number; returns `<stream>/<tag>-<seq>`. */
export function appendEvent(
  sql: SqlStorage,
  tag: string,
  session: string,
  stream: string,
  message: string,
  expiresAt: number,
): string {
  const seq = sql
    .exec<{ value: string }>(
      "UPDATE portico_meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'seq' RETURNING value",
    )
    .one().value;
  sql.exec(
    "INSERT INTO portico_events (session, stream, seq, message, expires_at) VALUES (?, ?, ?, ?, ?)",
    session,
    stream,
    Number(seq),
    message,
    expiresAt,
  );
  return `${stream}/${tag}-${seq}`;
}

const EVENT_REF = /^([0-9a-f]{12})-([1-9][0-9]{0,15})$/;

export function replayEvents(
  sql: SqlStorage,
  tag: string,
  session: string,
  lastEventId: string,
  now: number,
): ReplayRows | undefined {
  const parts = splitEventId(lastEventId);
  if (parts === undefined) return undefined;
  const stream = parts.streamId;
  const ref = EVENT_REF.exec(parts.position);
  if (ref === null || ref[1] !== tag) return undefined;
  const seq = Number(ref[2]);
  const known = sql
    .exec(
      "SELECT 1 FROM portico_events WHERE session = ? AND stream = ? AND seq = ? AND expires_at >= ?",
      session,
      stream,
      seq,
      now,
    )
    .toArray();
  if (known.length === 0) return undefined;
  const rows = sql
    .exec<{ seq: number; message: string }>(
      `SELECT seq, message FROM portico_events
       WHERE session = ? AND stream = ? AND seq > ? AND expires_at >= ? ORDER BY seq`,
      session,
      stream,
      seq,
      now,
    )
    .toArray();
  return {
    streamId: stream,
    events: rows.map((row) => ({ id: `${stream}/${tag}-${row.seq}`, message: row.message })),
  };
}

export function trimEvents(sql: SqlStorage, session: string, stream: string | undefined): void {
  if (stream === undefined) sql.exec("DELETE FROM portico_events WHERE session = ?", session);
  else sql.exec("DELETE FROM portico_events WHERE session = ? AND stream = ?", session, stream);
}

/** Drops every expired row; returns the earliest expiry still stored, or `undefined` when none is left. */
export function sweep(sql: SqlStorage, now: number): number | undefined {
  sql.exec("DELETE FROM portico_records WHERE expires_at < ?", now);
  sql.exec("DELETE FROM portico_events WHERE expires_at < ?", now);
  const next = sql
    .exec<{ at: number | null }>(
      `SELECT MIN(at) AS at FROM (
         SELECT MIN(expires_at) AS at FROM portico_records
         UNION ALL SELECT MIN(expires_at) AS at FROM portico_events
       )`,
    )
    .one().at;
  return next ?? undefined;
}
