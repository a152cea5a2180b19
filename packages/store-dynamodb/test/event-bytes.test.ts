/**
 * The byte bound of DynamoDbEventStore (`maxBytesPerSession`) beyond the store battery: option
 * checks, the cost of an append, and the running total on the counter item through vanished items,
 * expired counters, trims and concurrent appends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pickVictims } from "../src/_evict.ts";
import { DynamoDbEventStore, dynamoDbStores } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { startLocalTable } from "./_dynalite.ts";
import { recorded, sized, stored, vanish } from "./_event-bytes.ts";

const CAP = 8 * 1024;
let table: LocalTable;

beforeAll(async () => {
  table = await startLocalTable();
});

afterAll(async () => {
  await table?.close();
});

let sessions = 0;
/** A fresh session id; its partition key is `e#<id>` (no key prefix). */
function session(label: string): { id: string; pk: string } {
  sessions += 1;
  const id = `${label}-${sessions}`;
  return { id, pk: `e#${id}` };
}

describe("maxBytesPerSession option", () => {
  it("must be a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(
        () => new DynamoDbEventStore(table.client, { tableName: table.tableName, maxBytesPerSession: bad }),
        String(bad),
      ).toThrow(new RangeError(`maxBytesPerSession must be a positive integer number of bytes, got ${bad}`));
    }
    expect(() => dynamoDbStores({ ...table.connection, maxBytesPerSession: 0 })).toThrow(RangeError);
    expect(
      () => new DynamoDbEventStore(table.client, { tableName: "t", maxBytesPerSession: 1 }),
    ).not.toThrow();
  });

  it("is passed on by dynamoDbStores", async () => {
    const { events } = dynamoDbStores({ ...table.connection, maxBytesPerSession: CAP });
    const s = session("factory");
    for (let n = 0; n < 12; n++) await events.append(s.id, "s", sized(`e${n}`, 1000));
    const { bytes, total } = await stored(table, s.pk);
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(total).toBe(bytes);
  });

  it("defaults to 8 MB: 1.5 MB of events evict nothing", async () => {
    const { events, calls } = recorded(table);
    const s = session("default");
    for (let n = 0; n < 5; n++) await events.append(s.id, "s", sized(`e${n}`, 300 * 1024));
    expect(calls).not.toContain("Query");
    expect((await stored(table, s.pk)).keys).toHaveLength(5);
  });
});

describe("cost of an append", () => {
  it("under the bound: one UpdateItem and one PutItem, nothing more", async () => {
    const { events, calls } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("cost");
    for (let n = 0; n < 8; n++) await events.append(s.id, n % 2 ? "a" : "b", sized(`e${n}`, 1000));
    expect(calls).toStrictEqual(Array.from({ length: 8 }, () => ["UpdateItem", "PutItem"]).flat());
    // Over the bound: one Query, one DeleteItem per evicted event, one UpdateItem re-sync.
    calls.length = 0;
    await events.append(s.id, "a", sized("over", 1000));
    expect(calls).toStrictEqual([
      "UpdateItem",
      "PutItem",
      "Query",
      "DeleteItem",
      "DeleteItem",
      "DeleteItem",
      "UpdateItem",
    ]);
    const after = await stored(table, s.pk);
    expect(after).toMatchObject({ total: 6000, bytes: 6000 });
  });

  it("an eviction DynamoDB cannot serve does not fail the append; the next append evicts", async () => {
    const { events, failing } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("unavailable");
    for (let n = 0; n < 8; n++) await events.append(s.id, "s", sized(`e${n}`, 1000));
    failing.add("Query");
    const over = await events.append(s.id, "s", sized("over", 1000));
    expect((await stored(table, s.pk)).bytes).toBe(9000);
    failing.clear();
    await events.append(s.id, "s", sized("next", 1000));
    expect(await stored(table, s.pk)).toMatchObject({ total: 6000, bytes: 6000 });
    expect(await events.replay(s.id, over)).toBeDefined();
  });
});

describe("the running total", () => {
  it("is kept on the counter and each event item carries its size", async () => {
    const { events } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("sizes");
    await events.append(s.id, "a", sized("one", 100));
    await events.append(s.id, "b", "two");
    expect(await stored(table, s.pk)).toMatchObject({ total: 105, bytes: 105 });
  });

  it("leaves out an event DynamoDB refused (over its 400 KB item limit): it evicts nothing", async () => {
    // The total took the event's size before its PutItem failed; counted, the refused 450 KB made
    // the next append evict a stored event from a log well under the bound.
    const { events } = recorded(table, { maxBytesPerSession: 800_000 });
    const s = session("refused");
    const ids: string[] = [];
    for (let n = 0; n < 7; n++) ids.push(await events.append(s.id, "s", sized(`e${n}`, 100_000)));
    await expect(events.append(s.id, "s", sized("huge", 450_000))).rejects.toMatchObject({
      type: "ValidationException",
    });
    expect(await stored(table, s.pk)).toMatchObject({ total: 700_000, bytes: 700_000 });
    ids.push(await events.append(s.id, "s", sized("small", 100)));
    for (const id of ids) expect(await events.replay(s.id, id), id).toBeDefined();
    expect(await stored(table, s.pk)).toMatchObject({ total: 700_100, bytes: 700_100 });
  });

  it("is re-synchronised from the partition after items vanish behind the store's back", async () => {
    const { events } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("vanish");
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) ids.push(await events.append(s.id, "s", sized(`e${n}`, 700)));
    const before = await stored(table, s.pk);
    for (const sk of before.keys.slice(0, 5)) await vanish(table, s.pk, sk);
    // The total still counts the vanished 3500 bytes: 7000 + 2 × 700 goes over the bound.
    ids.push(await events.append(s.id, "s", sized("e10", 700)));
    ids.push(await events.append(s.id, "s", sized("e11", 700)));
    // The eviction finds 4900 bytes, under the low-water mark: nothing evicted, total re-synced.
    expect(await stored(table, s.pk)).toMatchObject({ total: 4900, bytes: 4900 });
    for (const id of ids.slice(5)) expect(await events.replay(s.id, id), id).toBeDefined();
  });

  it("starts from zero on a counter past its TTL that DynamoDB has not deleted yet", async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { events, calls } = recorded(table, {
      maxBytesPerSession: CAP,
      eventTtlMs: 60_000,
      now: () => clock.now,
    });
    const s = session("expired-counter");
    const old: string[] = [];
    for (let n = 0; n < 7; n++) old.push(await events.append(s.id, "s", sized(`old${n}`, 1000)));
    clock.now += 61_000;
    calls.length = 0;
    const fresh = await events.append(s.id, "s", sized("fresh", 1000));
    // Refused by the ordinary update's condition, then reset by the second one.
    expect(calls).toStrictEqual(["UpdateItem", "UpdateItem", "PutItem"]);
    expect(await stored(table, s.pk)).toMatchObject({ total: 1000, seq: 8 });
    expect(fresh).not.toBe(old.at(-1));
    expect(await events.replay(s.id, old.at(-1)!)).toBeUndefined();
    // The expired events still stored neither count nor survive the next eviction.
    const next: string[] = [];
    for (let n = 0; n < 8; n++) next.push(await events.append(s.id, "s", sized(`new${n}`, 1000)));
    const after = await stored(table, s.pk);
    expect(after.total).toBe(after.bytes);
    expect(after.keys).toHaveLength(after.bytes / 1000);
    expect(after.bytes).toBeLessThanOrEqual(CAP);
    expect(await events.replay(s.id, next.at(-1)!)).toStrictEqual({ streamId: "s", events: [] });
  });

  it("starts from zero on a counter created again after DynamoDB deleted it", async () => {
    const { events } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("deleted-counter");
    for (let n = 0; n < 5; n++) await events.append(s.id, "s", sized(`e${n}`, 1000));
    for (const sk of ["n", ...(await stored(table, s.pk)).keys]) await vanish(table, s.pk, sk);
    await events.append(s.id, "s", sized("again", 500));
    expect(await stored(table, s.pk)).toMatchObject({ total: 500, seq: 1, bytes: 500 });
  });

  it("trim(session, stream) takes the stream's events off; trim(session) resets it", async () => {
    const { events } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("trim");
    for (let n = 0; n < 6; n++)
      await events.append(s.id, n % 2 ? "a" : "b", sized(`e${n}`, n % 2 ? 1000 : 300));
    await events.trim(s.id, "a");
    expect(await stored(table, s.pk)).toMatchObject({ total: 900, bytes: 900 });
    await events.trim(s.id, "missing");
    expect((await stored(table, s.pk)).total).toBe(900);
    // The bound then counts only what is left: 900 + 7 × 1000 stays under it.
    const kept: string[] = [];
    for (let n = 0; n < 7; n++) kept.push(await events.append(s.id, "c", sized(`c${n}`, 1000)));
    expect(await stored(table, s.pk)).toMatchObject({ total: 7900, bytes: 7900 });
    await events.trim(s.id);
    expect(await stored(table, s.pk)).toMatchObject({ total: 0, bytes: 0, keys: [] });
  });

  it("trim never creates a counter", async () => {
    const { events } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("trim-nothing");
    await events.trim(s.id);
    await events.trim(s.id, "a");
    expect(await stored(table, s.pk)).toStrictEqual({ total: undefined, seq: undefined, keys: [], bytes: 0 });
  });

  it("settles within the bound after concurrent appends", async () => {
    const { events } = recorded(table, { maxBytesPerSession: CAP });
    const s = session("concurrent");
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => events.append(s.id, `s${n % 3}`, sized(`c${n}`, 1000))),
    );
    let last = "";
    for (let n = 0; n < 10; n++) last = await events.append(s.id, "s0", sized(`q${n}`, 1000));
    const after = await stored(table, s.pk);
    expect(after.bytes).toBeLessThanOrEqual(CAP);
    expect(after.bytes).toBeGreaterThanOrEqual(CAP / 2);
    expect(await events.replay(s.id, last)).toStrictEqual({ streamId: "s0", events: [] });
  });
});

describe("pickVictims", () => {
  const events = (...sizes: number[]) => sizes.map((bytes, i) => ({ sk: `e s ${i + 1}`, seq: i + 1, bytes }));
  const total = (list: { bytes: number }[]) => list.reduce((sum, e) => sum + e.bytes, 0);

  it("evicts oldest first to the low-water mark (3/4 of the bound)", () => {
    const live = events(20, 20, 20, 20, 20, 20);
    expect(pickVictims(live, total(live), 6, 100).map((e) => e.seq)).toStrictEqual([1, 2, 3]);
  });

  it("does not go below half the bound unless it must to get under it", () => {
    const live = events(10, 50, 10, 10, 25);
    expect(pickVictims(live, total(live), 5, 100).map((e) => e.seq)).toStrictEqual([1]);
    const must = events(60, 10, 10, 10, 15);
    expect(pickVictims(must, total(must), 5, 100).map((e) => e.seq)).toStrictEqual([1]);
  });

  it("never evicts the triggering event or a newer one", () => {
    const live = events(10, 500, 30);
    expect(pickVictims(live, total(live), 2, 100).map((e) => e.seq)).toStrictEqual([1]);
  });
});
