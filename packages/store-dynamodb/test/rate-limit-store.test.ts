/**
 * The rate-limit store beyond the battery: it answers what `takeToken` answers, concurrent takes from
 * separate instances never admit more than the bucket holds, a take costs the round trips the README
 * promises (against dynalite as it is, and against dynalite made to answer like DynamoDB with the old
 * item on a failed condition), the item layout and TTL, a bounded number of rounds under contention,
 * and an invalid bucket never reaches DynamoDB.
 */
import type { StoreKey, TokenBucket } from "@portico/core";
import { StoreUnavailableError, storeKeyText, takeToken } from "@portico/core";
import { expectRemainingCountdown } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbClient, DynamoDbRateLimitStore, dynamoDbStores, TTL_ATTRIBUTE } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { startLocalTable } from "./_dynalite.ts";

const HOUR_MS = 3_600_000;

let table: LocalTable;

beforeAll(async () => {
  table = await startLocalTable();
});

afterAll(async () => {
  await table?.close();
});

let counter = 0;
const freshKey = (what: string): StoreKey => ({ kind: "rate", id: `${what}-${++counter}` });

type RawItem = Record<string, { S?: string; N?: string }>;

async function rawItem(pk: string, sk = "t"): Promise<RawItem | undefined> {
  const { Item } = await table.client.send<{ Item?: RawItem }>("GetItem", {
    TableName: table.tableName,
    Key: { pk: { S: pk }, sk: { S: sk } },
    ConsistentRead: true,
  });
  return Item;
}

async function putTat(pk: string, tat: number): Promise<void> {
  await table.client.send("PutItem", {
    TableName: table.tableName,
    Item: { pk: { S: pk }, sk: { S: "t" }, tat: { N: String(tat) } },
  });
}

/** One request as the client sent it: the operation and its input. */
interface Sent {
  operation: string;
  input: Record<string, unknown>;
}

/**
 * A fetch in front of dynalite that records every request. `likeDynamoDb`: a failed condition of a
 * request asking for `ReturnValuesOnConditionCheckFailure: ALL_OLD` gets the old item in its answer,
 * as DynamoDB sends it (dynalite ignores the option); the item is read aside, which is exact in these
 * one-take-at-a-time tests. `before` runs before a request is forwarded (to interfere).
 */
function observedFetch(options: { likeDynamoDb?: boolean; before?: (sent: Sent) => Promise<void> } = {}) {
  const sent: Sent[] = [];
  const doFetch: typeof fetch = async (input, init) => {
    const operation = String(new Headers(init?.headers).get("x-amz-target")).replace(
      /^DynamoDB_20120810\./,
      "",
    );
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    const request = { operation, input: body };
    sent.push(request);
    await options.before?.(request);
    const response = await fetch(input, init);
    if (!options.likeDynamoDb || response.ok || body.ReturnValuesOnConditionCheckFailure !== "ALL_OLD") {
      return response;
    }
    const answer = (await response.json()) as { __type?: string };
    if (answer.__type?.endsWith("#ConditionalCheckFailedException")) {
      const { Item } = await table.client.send<{ Item?: RawItem }>("GetItem", {
        TableName: table.tableName,
        Key: body.Key,
        ConsistentRead: true,
      });
      if (Item) Object.assign(answer, { Item });
    }
    return new Response(JSON.stringify(answer), { status: response.status, headers: response.headers });
  };
  return { sent, fetch: doFetch, operations: () => sent.map((s) => s.operation) };
}

function storeWith(doFetch: typeof fetch, options: { now?: () => number; keyPrefix?: string } = {}) {
  const client = new DynamoDbClient({ ...table.connection, fetch: doFetch });
  return new DynamoDbRateLimitStore(client, { tableName: table.tableName, ...options });
}

describe("DynamoDbRateLimitStore", () => {
  for (const likeDynamoDb of [false, true]) {
    const server = likeDynamoDb
      ? "with the old item on a failed condition (DynamoDB)"
      : "on dynalite as it is";
    it(`answers exactly what takeToken answers, take after take, ${server}`, async () => {
      const start = Date.UTC(2026, 10, 21, 12, 0, 0);
      const clock = { now: start };
      const observed = observedFetch({ likeDynamoDb });
      const store = storeWith(observed.fetch, { now: () => clock.now });
      // [name, the bucket taken from, the bucket takeToken is given]
      const buckets: [string, (cost: number) => TokenBucket, (cost: number) => TokenBucket][] = [
        // A token every 250 ms, burst 5: a whole number of microseconds, so exactly takeToken.
        [
          "whole",
          (cost) => ({ limit: 4, periodMs: 1_000, burst: 5, cost }),
          (cost) => ({ limit: 4, periodMs: 1_000, burst: 5, cost }),
        ],
        // A token every 1428.571428… ms, burst 4: the store keeps it to the microsecond, rounded up.
        [
          "fraction",
          (cost) => ({ limit: 7, periodMs: 10_000, burst: 4, cost }),
          (cost) => ({ limit: 1, periodMs: 1428.572, burst: 4, cost }),
        ],
      ];
      // biome-ignore format: a table of steps
      const steps: [advanceMs: number, cost: number][] = [
        [0, 1], [0, 2], [0, 1], [0, 1], [0, 1], [100, 1], [150, 1], [1, 1], [400, 3], [0, 2], [3_000, 4],
        [0, 1], [10_000, 4], [1, 1], [777, 2], [1_429, 1], [5_000, 1], [0, 3], [0, 1], [2, 1],
      ];
      for (const [name, rule, reference] of buckets) {
        const key = freshKey(`sequence-${name}-${likeDynamoDb}`);
        let tat: number | undefined;
        for (const [advanceMs, cost] of steps) {
          clock.now += advanceMs;
          // GCRA is the same shifted in time; takeToken runs on times since `start`, as at an epoch
          // in ms a float's sums are off by up to 0.0002 ms, above takeToken's epsilon.
          const expected = takeToken(tat, clock.now - start, reference(cost));
          const got = await store.take(key, rule(cost));
          expect({ name, at: clock.now, cost, ...got }).toStrictEqual({
            name,
            at: clock.now,
            cost,
            allowed: expected.allowed,
            remaining: expected.remaining,
            retryAfterMs: expected.retryAfterMs,
            resetAfterMs: expected.resetAfterMs,
          });
          tat = expected.tat ?? tat;
        }
      }
      // Every write is a conditional UpdateItem; nothing else writes.
      for (const { operation, input } of observed.sent) {
        expect(["UpdateItem", "GetItem"]).toContain(operation);
        if (operation === "UpdateItem") expect(input.ConditionExpression).toBeTypeOf("string");
      }
    });
  }

  it("admits exactly the burst of 40 concurrent takes from 3 instances with separate clients", async () => {
    const key = freshKey("race");
    const rule: TokenBucket = { limit: 10, periodMs: HOUR_MS, burst: 10, cost: 1 };
    const stores = Array.from(
      { length: 3 },
      () => new DynamoDbRateLimitStore(new DynamoDbClient(table.connection), { tableName: table.tableName }),
    );
    const takes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (stores[i % 3] as DynamoDbRateLimitStore).take(key, rule)),
    );
    const admitted = takes.filter((take) => take.allowed);
    expect(admitted).toHaveLength(10);
    // Three instances, three clocks read at different instants: see expectRemainingCountdown.
    expectRemainingCountdown(admitted.map((take) => take.remaining));
    for (const take of takes.filter((x) => !x.allowed)) {
      expect(take).toMatchObject({ remaining: 0 });
      expect(take.retryAfterMs).toBeGreaterThan(0);
    }
    // The stored arrival time is ten intervals ahead of the first take, to the microsecond.
    const tat = Number((await rawItem(`l#${storeKeyText(key)}`))?.tat?.N);
    expect(tat).toBeGreaterThan(Date.now() + HOUR_MS - 60_000);
    expect(tat).toBeLessThanOrEqual(Date.now() + HOUR_MS);
  });

  it("costs 1 round trip ahead of now, 2 on a full bucket, 1 when denied (DynamoDB's answers)", async () => {
    const observed = observedFetch({ likeDynamoDb: true });
    const clock = { now: Date.UTC(2026, 10, 21, 13, 0, 0) };
    const store = storeWith(observed.fetch, { now: () => clock.now });
    const key = freshKey("round-trips");
    const rule: TokenBucket = { limit: 3, periodMs: 3_000, burst: 3, cost: 1 };
    const trips = async (expected: { allowed: boolean; remaining: number }, count: number) => {
      observed.sent.length = 0;
      expect(await store.take(key, rule)).toMatchObject(expected);
      expect(observed.operations()).toStrictEqual(Array(count).fill("UpdateItem"));
    };
    await trips({ allowed: true, remaining: 2 }, 2); // no item yet: A fails, B starts the bucket
    await trips({ allowed: true, remaining: 1 }, 1); // ahead of now: A
    await trips({ allowed: true, remaining: 0 }, 1);
    await trips({ allowed: false, remaining: 0 }, 1); // denied from A's old item; nothing written
    clock.now += 3_000;
    await trips({ allowed: true, remaining: 2 }, 1); // tat = now: still A
    clock.now += 10_000;
    await trips({ allowed: true, remaining: 2 }, 2); // drained (tat < now): A fails, B
  });

  it("costs 1 round trip ahead of now and at most 3 otherwise on dynalite (no old item: B, then a read)", async () => {
    const observed = observedFetch();
    const clock = { now: Date.UTC(2026, 10, 21, 14, 0, 0) };
    const store = storeWith(observed.fetch, { now: () => clock.now });
    const key = freshKey("round-trips-dynalite");
    const rule: TokenBucket = { limit: 3, periodMs: 3_000, burst: 3, cost: 1 };
    const trips = async (expected: { allowed: boolean; remaining: number }, operations: string[]) => {
      observed.sent.length = 0;
      expect(await store.take(key, rule)).toMatchObject(expected);
      expect(observed.operations()).toStrictEqual(operations);
    };
    await trips({ allowed: true, remaining: 2 }, ["UpdateItem", "UpdateItem"]);
    await trips({ allowed: true, remaining: 1 }, ["UpdateItem"]);
    await trips({ allowed: true, remaining: 0 }, ["UpdateItem"]);
    await trips({ allowed: false, remaining: 0 }, ["UpdateItem", "UpdateItem", "GetItem"]);
    clock.now += 5_000;
    await trips({ allowed: true, remaining: 2 }, ["UpdateItem", "UpdateItem"]);
  });

  it("keeps a bucket as one item apart from session records, with tat in ms and a TTL when it is full", async () => {
    const nowUs = Date.UTC(2026, 10, 21, 15, 0, 0) * 1000 + 250;
    const clock = { now: nowUs / 1000 };
    const { sessions, limits } = dynamoDbStores({
      ...table.connection,
      keyPrefix: "layout:",
      now: () => clock.now,
    });
    const key: StoreKey = { kind: "session", session: "same-key" };
    expect(await sessions.create(key, "a session", 60_000)).toBe(true);
    // A token every 1428.572 ms (1428.571428… rounded up), burst 4: full again 5714.288 ms after now.
    const rule: TokenBucket = { limit: 7, periodMs: 10_000, burst: 4, cost: 1 };
    expect(await limits.take(key, rule)).toMatchObject({ allowed: true, remaining: 3 });
    expect(await limits.take(key, { ...rule, cost: 2 })).toMatchObject({ allowed: true, remaining: 1 });
    const item = await rawItem(`layout:l#${storeKeyText(key)}`);
    expect(Object.keys(item ?? {}).sort()).toStrictEqual(["pk", "sk", "tat", TTL_ATTRIBUTE].sort());
    expect(item?.tat?.N).toBe(String((nowUs + 3 * 1_428_572) / 1000));
    expect(item?.[TTL_ATTRIBUTE]?.N).toBe(String(Math.ceil((nowUs + 4 * 1_428_572) / 1_000_000)));
    // The session record under the same key is untouched.
    expect(await sessions.get(key)).toMatchObject({ value: "a session", version: 1 });
    // A denied take writes nothing.
    expect(await limits.take(key, { ...rule, cost: 3 })).toMatchObject({ allowed: false, remaining: 1 });
    expect((await rawItem(`layout:l#${storeKeyText(key)}`))?.tat?.N).toBe(item?.tat?.N);
    // Another prefix is another bucket.
    const other = dynamoDbStores({ ...table.connection, keyPrefix: "other:", now: () => clock.now });
    expect(await other.limits.take(key, { ...rule, cost: 4 })).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("reads an item whose tat has passed (not yet deleted by TTL) as a full bucket", async () => {
    const now = Date.UTC(2026, 10, 21, 16, 0, 0);
    const key = freshKey("stale");
    await putTat(`l#${storeKeyText(key)}`, now - 1);
    const store = storeWith(fetch, { now: () => now });
    const rule: TokenBucket = { limit: 10, periodMs: HOUR_MS, burst: 10, cost: 1 };
    expect(await store.take(key, rule)).toStrictEqual({
      allowed: true,
      remaining: 9,
      retryAfterMs: 0,
      resetAfterMs: HOUR_MS / 10,
    });
  });

  it("gives up with a StoreUnavailableError after 5 rounds that other writers overtake", async () => {
    const now = Date.UTC(2026, 10, 21, 17, 0, 0);
    const key = freshKey("contention");
    const pk = `l#${storeKeyText(key)}`;
    // Before every A the bucket drains, before every B it fills a little: both conditions fail.
    const observed = observedFetch({
      before: async ({ operation, input }) => {
        if (operation !== "UpdateItem") return;
        await putTat(
          pk,
          String(input.ConditionExpression).startsWith("attribute_not_exists") ? now + 1 : now - 1,
        );
      },
    });
    const store = storeWith(observed.fetch, { now: () => now });
    const error = await store
      .take(key, { limit: 10, periodMs: HOUR_MS, burst: 10, cost: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain("5 races");
    expect(observed.operations()).toStrictEqual(
      Array(5).fill(["UpdateItem", "UpdateItem", "GetItem"]).flat(),
    );
  });

  it("refuses an invalid bucket with a TypeError before any request", async () => {
    const observed = observedFetch();
    const store = storeWith(observed.fetch);
    const invalid: TokenBucket[] = [
      { limit: 0, periodMs: 1_000, burst: 1, cost: 1 },
      { limit: 1, periodMs: Number.NaN, burst: 1, cost: 1 },
      { limit: 1, periodMs: 1_000, burst: 0.5, cost: 0.5 },
      { limit: 1, periodMs: 1_000, burst: 10, cost: 11 },
      { limit: 1, periodMs: 1_000, burst: 10, cost: 0 },
    ];
    for (const bucket of invalid) {
      await expect(store.take(freshKey("invalid"), bucket)).rejects.toBeInstanceOf(TypeError);
    }
    expect(observed.sent).toHaveLength(0);
  });
});
