/**
 * The SQLite side of a session object's event log (EventStore): one `portico_events` row per event,
 * and in `portico_event_bytes` a running total of each session's stored bytes, which bounds the log
 * (`maxBytesPerSession`) without reading the session's rows on every append. Every function is
 * synchronous and runs inside one Durable Object event, so a row and the total it changes are
 * written together (one implicit transaction) and the total stays exact.
 *
 * Size of an event: `octet_length(message)`, the UTF-8 length of its JSON text, which SQLite
 * answers without loading the text. The total of a session is kept by every statement that adds
 * or deletes its rows; a session without a total (its rows were stored by a version that kept
 * none) gets one computed from its rows on its next append.
 */
import { splitEventId } from "@portico/core";

/** What `replay` returns over RPC. */
export interface ReplayRows {
  streamId: string;
  events: { id: string; message: string }[];
}

/** The default of `maxBytesPerSession`, as in the in-memory store: 8 MB. */
export const DEFAULT_MAX_BYTES_PER_SESSION = 8 * 1024 * 1024;

/**
 * Tables and index of the event log. All `IF NOT EXISTS`, so they are added to storage created by
 * earlier versions (the index is built over the existing rows once, when first created).
 */
export const EVENT_SCHEMA = `
CREATE TABLE IF NOT EXISTS portico_events (
  session TEXT NOT NULL,
  stream TEXT NOT NULL,
  seq INTEGER NOT NULL,
  message TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (session, stream, seq)
);
CREATE INDEX IF NOT EXISTS portico_events_by_seq ON portico_events (session, seq);
CREATE TABLE IF NOT EXISTS portico_event_bytes (
  session TEXT PRIMARY KEY,
  bytes INTEGER NOT NULL
);
`;

/** The oldest events of a session, before `seq` (the event just appended), oldest first. */
export const OLDEST_EVENTS_SQL = `SELECT seq, octet_length(message) AS bytes FROM portico_events
  WHERE session = ? AND seq < ? ORDER BY seq`;

/** Evicts a session's events up to a `seq`. */
export const EVICT_EVENTS_SQL = "DELETE FROM portico_events WHERE session = ? AND seq <= ?";

/**
 * Appends an event under the object's next sequence number, then evicts the session's oldest events
 * (across its streams) if its log now holds more than `maxBytes`; returns `<stream>/<tag>-<seq>`.
 */
export function appendEvent(
  sql: SqlStorage,
  tag: string,
  session: string,
  stream: string,
  message: string,
  expiresAt: number,
  maxBytes: number,
): string {
  const seq = Number(
    sql
      .exec<{ value: string }>(
        "UPDATE portico_meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'seq' RETURNING value",
      )
      .one().value,
  );
  const { bytes } = sql
    .exec<{ bytes: number }>(
      `INSERT INTO portico_events (session, stream, seq, message, expires_at) VALUES (?, ?, ?, ?, ?)
       RETURNING octet_length(message) AS bytes`,
      session,
      stream,
      seq,
      message,
      expiresAt,
    )
    .one();
  const total = addToTotal(sql, session, bytes);
  if (total > maxBytes) evictOldest(sql, session, seq, total, maxBytes);
  return `${stream}/${tag}-${seq}`;
}

/** Adds `bytes` to the session's total and returns it; counts the rows once if there is no total yet. */
function addToTotal(sql: SqlStorage, session: string, bytes: number): number {
  const updated = sql
    .exec<{ bytes: number }>(
      "UPDATE portico_event_bytes SET bytes = bytes + ? WHERE session = ? RETURNING bytes",
      bytes,
      session,
    )
    .toArray()[0];
  if (updated !== undefined) return updated.bytes;
  // A new session (no rows but the one just inserted), or one whose rows predate the totals.
  return sql
    .exec<{ bytes: number }>(
      `INSERT INTO portico_event_bytes (session, bytes)
       SELECT ?, COALESCE(SUM(octet_length(message)), 0) FROM portico_events WHERE session = ?
       RETURNING bytes`,
      session,
      session,
    )
    .one().bytes;
}

/**
 * Deletes the session's oldest events, never the newest (`newest`), until its log is within
 * `maxBytes`; and, to amortise, on down to 3/4 of it, as long as at least half of it stays.
 */
function evictOldest(
  sql: SqlStorage,
  session: string,
  newest: number,
  total: number,
  maxBytes: number,
): void {
  const target = (maxBytes * 3) / 4;
  const floor = maxBytes / 2;
  let left = total;
  let cutoff: number | undefined;
  // The cursor reads lazily, through the (session, seq) index: only the rows evicted, plus one.
  for (const row of sql.exec<{ seq: number; bytes: number }>(OLDEST_EVENTS_SQL, session, newest)) {
    const over = left > maxBytes;
    const amortise = left > target && left - row.bytes >= floor;
    if (!over && !amortise) break;
    left -= row.bytes;
    cutoff = row.seq;
  }
  if (cutoff === undefined) return;
  sql.exec(EVICT_EVENTS_SQL, session, cutoff);
  sql.exec("UPDATE portico_event_bytes SET bytes = ? WHERE session = ?", left, session);
}

/** Takes `bytes` off each session's total; a total that reaches zero (no rows left) is dropped. */
function subtractFromTotals(sql: SqlStorage, freed: Map<string, number>): void {
  for (const [session, bytes] of freed) {
    const row = sql
      .exec<{ bytes: number }>(
        "UPDATE portico_event_bytes SET bytes = bytes - ? WHERE session = ? RETURNING bytes",
        bytes,
        session,
      )
      .toArray()[0];
    if (row !== undefined && row.bytes <= 0)
      sql.exec("DELETE FROM portico_event_bytes WHERE session = ?", session);
  }
}

/** Runs a `DELETE … RETURNING session, octet_length(message) AS bytes`; returns the bytes freed per session. */
function deleteCounting(sql: SqlStorage, query: string, ...params: (string | number)[]): Map<string, number> {
  const freed = new Map<string, number>();
  for (const row of sql.exec<{ session: string; bytes: number }>(query, ...params))
    freed.set(row.session, (freed.get(row.session) ?? 0) + row.bytes);
  return freed;
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

/** Drops one stream's events, or all of the session's (and then its total). */
export function trimEvents(sql: SqlStorage, session: string, stream: string | undefined): void {
  if (stream === undefined) {
    sql.exec("DELETE FROM portico_events WHERE session = ?", session);
    sql.exec("DELETE FROM portico_event_bytes WHERE session = ?", session);
    return;
  }
  const freed = deleteCounting(
    sql,
    `DELETE FROM portico_events WHERE session = ? AND stream = ?
     RETURNING session, octet_length(message) AS bytes`,
    session,
    stream,
  );
  subtractFromTotals(sql, freed);
}

/** Drops every expired event, keeping the totals of their sessions. */
export function sweepEvents(sql: SqlStorage, now: number): void {
  const freed = deleteCounting(
    sql,
    "DELETE FROM portico_events WHERE expires_at < ? RETURNING session, octet_length(message) AS bytes",
    now,
  );
  subtractFromTotals(sql, freed);
}
