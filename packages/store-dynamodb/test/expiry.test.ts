import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dynamoDbStores, TTL_ATTRIBUTE } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { startLocalTable } from "./_dynalite.ts";

// dynalite, like DynamoDB before its lazy TTL sweep, keeps expired items: every read must
// judge expiry itself. An injected clock moves time without waiting.

let table: LocalTable;
const clock = { now: Date.UTC(2026, 10, 21, 12, 0, 0) };

beforeAll(async () => {
  table = await startLocalTable();
});

afterAll(async () => {
  await table?.close();
});

function stores(keyPrefix: string) {
  return dynamoDbStores({ ...table.connection, keyPrefix, now: () => clock.now, eventTtlMs: 60_000 });
}

async function rawItem(pk: string, sk: string) {
  const { Item } = await table.client.send<{ Item?: Record<string, { S?: string; N?: string }> }>("GetItem", {
    TableName: table.tableName,
    Key: { pk: { S: pk }, sk: { S: sk } },
    ConsistentRead: true,
  });
  return Item;
}

describe("expired but not yet deleted items", () => {
  it("a session record past its expiry reads as absent, cannot be updated, and can be created again", async () => {
    const { sessions } = stores("session-expiry:");
    const key = { kind: "session", session: "k" };
    expect(await sessions.create(key, "old", 1_000)).toBe(true);
    expect(await sessions.get(key)).toStrictEqual({ value: "old", version: 1, expiresAt: clock.now + 1_000 });
    const ttl = Number((await rawItem("session-expiry:s#portico:session:k", "r"))?.[TTL_ATTRIBUTE]?.N);
    expect(ttl).toBe(Math.ceil((clock.now + 1_000) / 1000));

    clock.now += 1_000;
    expect(await sessions.get(key)).toMatchObject({ value: "old" });
    clock.now += 1;
    expect(await sessions.get(key)).toBeUndefined();
    // Still stored: only our clock says it is gone.
    expect(await rawItem("session-expiry:s#portico:session:k", "r")).toBeDefined();
    expect(await sessions.update(key, 1, "late", 1_000)).toBe(false);
    expect(await sessions.create(key, "new", 5_000)).toBe(true);
    expect(await sessions.get(key)).toStrictEqual({ value: "new", version: 1, expiresAt: clock.now + 5_000 });
  });

  it("expired events are neither replayed nor accepted as a Last-Event-ID", async () => {
    const { events } = stores("event-expiry:");
    const first = await events.append("s", "a", 1);
    clock.now += 30_000;
    const second = await events.append("s", "a", 2);
    const third = await events.append("s", "a", 3);
    expect((await events.replay("s", first))?.events.map((e) => e.id)).toStrictEqual([second, third]);
    // Event expiry is kept in whole seconds (the TTL attribute), rounded up.
    clock.now += 31_000;
    expect(await events.replay("s", first)).toBeUndefined();
    expect(await events.replay("s", second)).toStrictEqual({
      streamId: "a",
      events: [{ id: third, message: 3 }],
    });
    clock.now += 30_000;
    expect(await events.replay("s", second)).toBeUndefined();
  });
});
