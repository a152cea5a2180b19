/**
 * The byte bound of the event log (`maxBytesPerSession`) beyond the store battery: the option's
 * validation, the running total per session kept exact by `trim(session, stream)`, the alarm's
 * sweep and eviction, storage written before totals were kept, and eviction through the index.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { EVICT_EVENTS_SQL, OLDEST_EVENTS_SQL } from "../../src/_events.ts";
import { ensureSchema } from "../../src/_records.ts";
import { DurableObjectEventStore, durableObjectStores } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

const ns = testEnv.MCP_SESSIONS;
const objectOf = (sessionId: string) => ns.get(ns.idFromName(`session:${sessionId}`));
let counter = 0;
const unique = (label: string) => `${label}-${crypto.randomUUID()}-${++counter}`;

/** A string message whose JSON text is exactly `bytes` long (ASCII). */
const sized = (bytes: number) => "x".repeat(bytes - 2);

/** The session's stored total (`undefined`: none) and what its rows actually hold. */
function accounting(sessionId: string): Promise<{ total: number | undefined; rows: number }> {
  return runInDurableObject(objectOf(sessionId), (_instance, state) => {
    const sql = state.storage.sql;
    const total = sql
      .exec<{ bytes: number }>("SELECT bytes FROM portico_event_bytes WHERE session = ?", sessionId)
      .toArray()[0]?.bytes;
    const rows = sql
      .exec<{ bytes: number }>(
        "SELECT COALESCE(SUM(octet_length(message)), 0) AS bytes FROM portico_events WHERE session = ?",
        sessionId,
      )
      .one().bytes;
    return { total, rows };
  });
}

async function live(events: DurableObjectEventStore, sessionId: string, ids: string[]): Promise<boolean[]> {
  return Promise.all(ids.map(async (id) => (await events.replay(sessionId, id)) !== undefined));
}

describe("DurableObjectEventStore maxBytesPerSession", () => {
  it("accepts a positive integer and rejects anything else with a RangeError", () => {
    expect(() => new DurableObjectEventStore(ns, { maxBytesPerSession: 1 })).not.toThrow();
    expect(() => new DurableObjectEventStore(ns)).not.toThrow();
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "1024" as unknown as number]) {
      expect(() => new DurableObjectEventStore(ns, { maxBytesPerSession: bad })).toThrow(
        new RangeError(`maxBytesPerSession must be a positive integer number of bytes, got ${bad}`),
      );
      // Passed on by durableObjectStores().
      expect(() => durableObjectStores(ns, { maxBytesPerSession: bad })).toThrow(RangeError);
    }
  });

  it("durableObjectStores() passes the bound to its event store", async () => {
    const { events } = durableObjectStores(ns, { maxBytesPerSession: 1000 });
    const sessionId = unique("stores");
    const ids: string[] = [];
    for (let n = 0; n < 3; n++) ids.push(await events.append(sessionId, "s", sized(400)));
    expect(await live(events as DurableObjectEventStore, sessionId, ids)).toEqual([false, true, true]);
    expect(await accounting(sessionId)).toEqual({ total: 800, rows: 800 });
  });

  it("trim(session, stream) takes that stream's bytes off the session's total", async () => {
    const events = new DurableObjectEventStore(ns, { maxBytesPerSession: 4000 });
    const sessionId = unique("trim-stream");
    for (let n = 0; n < 3; n++) await events.append(sessionId, "a", sized(1000));
    const kept = [await events.append(sessionId, "b", sized(1000))];
    expect(await accounting(sessionId)).toEqual({ total: 4000, rows: 4000 });
    await events.trim(sessionId, "a");
    expect(await accounting(sessionId)).toEqual({ total: 1000, rows: 1000 });
    // Back to exactly the bound: nothing is evicted (a stale total of 7000 would evict).
    for (let n = 0; n < 3; n++) kept.push(await events.append(sessionId, "b", sized(1000)));
    expect(await live(events, sessionId, kept)).toEqual([true, true, true, true]);
    expect(await accounting(sessionId)).toEqual({ total: 4000, rows: 4000 });
    // Trimming the last stream drops the total with the rows; an unknown stream changes nothing.
    await events.trim(sessionId, "nothing-here");
    await events.trim(sessionId, "b");
    expect(await accounting(sessionId)).toEqual({ total: undefined, rows: 0 });
  });

  it("trim(session) drops the total with the rows", async () => {
    const events = new DurableObjectEventStore(ns, { maxBytesPerSession: 4000 });
    const sessionId = unique("trim-session");
    await events.append(sessionId, "a", sized(1000));
    await events.append(sessionId, "b", sized(1000));
    await events.trim(sessionId);
    expect(await accounting(sessionId)).toEqual({ total: undefined, rows: 0 });
  });

  it("the alarm's sweep takes expired events off their session's total", async () => {
    // A second of life: the alarm (due at the first append + the ttl) fires on its own, and the
    // appends and the first read must come before it even on a loaded machine.
    const short = new DurableObjectEventStore(ns, { maxBytesPerSession: 4000, eventTtlMs: 1_000 });
    const long = new DurableObjectEventStore(ns, { maxBytesPerSession: 4000 });
    const sessionId = unique("sweep");
    for (let n = 0; n < 3; n++) await short.append(sessionId, "old", sized(1000));
    const kept = [await long.append(sessionId, "new", sized(1000))];
    expect(await accounting(sessionId)).toEqual({ total: 4000, rows: 4000 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The alarm may have fired on its own already; run it now if not.
    await runDurableObjectAlarm(objectOf(sessionId));
    expect(await accounting(sessionId)).toEqual({ total: 1000, rows: 1000 });
    for (let n = 0; n < 3; n++) kept.push(await long.append(sessionId, "new", sized(1000)));
    expect(await live(long, sessionId, kept)).toEqual([true, true, true, true]);
    expect(await accounting(sessionId)).toEqual({ total: 4000, rows: 4000 });
  });

  it("keeps the total exact through appends on many streams, evictions and trims", async () => {
    const events = new DurableObjectEventStore(ns, { maxBytesPerSession: 5000 });
    const sessionId = unique("mixed");
    for (let n = 0; n < 60; n++) {
      await events.append(sessionId, `s${n % 4}`, { n, text: "é😀".repeat(n * 7) });
      if (n % 17 === 16) await events.trim(sessionId, `s${n % 3}`);
      const { total, rows } = await accounting(sessionId);
      expect(total).toBe(rows);
      expect(rows).toBeLessThanOrEqual(5000);
    }
  });

  it("counts the bytes of events stored before totals were kept, once, on the session's next append", async () => {
    const events = new DurableObjectEventStore(ns, { maxBytesPerSession: 4000 });
    const sessionId = unique("legacy");
    const object = objectOf(sessionId);
    // Storage as an earlier version left it: events, but no totals table and no (session, seq) index.
    const old = await runInDurableObject(object, (_instance, state) => {
      const sql = state.storage.sql;
      ensureSchema(sql); // a new object has no tables until its first write
      sql.exec("DROP TABLE portico_event_bytes");
      sql.exec("DROP INDEX portico_events_by_seq");
      const tag = sql
        .exec<{ value: string }>("SELECT value FROM portico_meta WHERE name = 'tag'")
        .one().value;
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const seq = sql
          .exec<{ value: string }>(
            "UPDATE portico_meta SET value = CAST(value AS INTEGER) + 1 WHERE name = 'seq' RETURNING value",
          )
          .one().value;
        const stream = n % 2 === 0 ? "even" : "odd";
        sql.exec(
          "INSERT INTO portico_events (session, stream, seq, message, expires_at) VALUES (?, ?, ?, ?, ?)",
          sessionId,
          stream,
          Number(seq),
          JSON.stringify(sized(1000)),
          Date.now() + 60_000,
        );
        ids.push(`${stream}/${tag}-${seq}`);
      }
      return ids;
    });
    // The new code starts on that storage: it adds the table and the index, and reads the old rows.
    await evictDurableObject(object);
    expect(await live(events, sessionId, old)).toEqual([true, true, true, true, true]);
    const schema = await runInDurableObject(object, (_instance, state) =>
      state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE name IN ('portico_event_bytes', 'portico_events_by_seq') ORDER BY name",
        )
        .toArray()
        .map((row) => row.name),
    );
    expect(schema).toEqual(["portico_event_bytes", "portico_events_by_seq"]);
    expect(await accounting(sessionId)).toEqual({ total: undefined, rows: 5000 });
    // The next append counts the old rows (5000 + 1000 > 4000) and evicts the oldest, down to 3/4.
    const next = await events.append(sessionId, "even", sized(1000));
    expect(await live(events, sessionId, [...old, next])).toEqual([false, false, false, true, true, true]);
    expect(await accounting(sessionId)).toEqual({ total: 3000, rows: 3000 });
  });

  it("finds the oldest events through the (session, seq) index, never a scan of the session's rows", async () => {
    const events = new DurableObjectEventStore(ns);
    const sessionId = unique("plan");
    await events.append(sessionId, "s", "one");
    const plans = await runInDurableObject(objectOf(sessionId), (_instance, state) =>
      [OLDEST_EVENTS_SQL, EVICT_EVENTS_SQL].map((query) =>
        state.storage.sql
          .exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, sessionId, 1)
          .toArray()
          .map((row) => row.detail)
          .join("; "),
      ),
    );
    for (const plan of plans) {
      expect(plan).toContain("USING INDEX portico_events_by_seq (session=? AND seq<");
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN/);
    }
  });
});
