/**
 * Durations no timer can wait. `setTimeout` (and `AbortSignal.timeout`) given more than 2^31−1 ms
 * fires after 1 ms, so `requestTimeoutMs: 3e9` would fail every call and `pollMs: 3e9` would make
 * the bus poll without pause; a lifetime that is not finite (`eventTtlMs: Infinity`) cannot be
 * written as a TTL. Such values are refused when the client, store or bus is made.
 *
 * DynamoDB is a stand-in `fetch` here: what is under test happens before any request is sent.
 */
import { isStoreUnavailable } from "@portico/core";
import { describe, expect, it } from "vitest";
import {
  createTable,
  DynamoDbBus,
  DynamoDbClient,
  type DynamoDbClientOptions,
  DynamoDbEventStore,
  dynamoDbStores,
} from "../src/index.ts";

const MAX = 2_147_483_647;
const credentials = { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "local-test-secret" };

/**
 * A stand-in DynamoDB that answers every call after `delayMs` (or at once when its signal aborts,
 * as fetch does) with `answer(operation)`; it counts the operations it was sent.
 */
function standIn(answer: (operation: string) => object = () => ({}), delayMs = 0) {
  const calls: string[] = [];
  const fetch = (async (_url: unknown, init?: RequestInit) => {
    const operation = String(new Headers(init?.headers).get("x-amz-target")).split(".")[1] as string;
    calls.push(operation);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, delayMs);
      init?.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(init.signal?.reason);
      });
    });
    const body = answer(operation);
    const status = "__type" in body ? 400 : 200;
    return new Response(JSON.stringify(body), { status });
  }) as typeof globalThis.fetch;
  const options: DynamoDbClientOptions = {
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    credentials,
    fetch,
  };
  return { calls, options };
}

/** `make()`'s result, or what it threw as `Name: message`. */
async function outcomeOf(make: () => Promise<string> | string): Promise<string> {
  try {
    return await make();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

const bound = (min: number) => `must be a finite number of ms from ${min} to ${MAX} (about 24.8 days)`;

describe("requestTimeoutMs", () => {
  it("refuses a timeout no timer can keep, instead of failing every call at once", async () => {
    const { options } = standIn(() => ({ Item: {} }), 20);
    const outcome = await outcomeOf(async () => {
      const client = new DynamoDbClient({ ...options, requestTimeoutMs: 3e9, retry: { maxAttempts: 1 } });
      const answer = await client.send("GetItem", {}).then(
        () => "answered",
        (error: Error) => (isStoreUnavailable(error) ? `unavailable (${error.message})` : error.message),
      );
      return `accepted; a call answered in 20 ms was ${answer}`;
    });
    expect(outcome).toBe(
      "RangeError: requestTimeoutMs must be a whole number of ms from 1 to 2147483647 (about 24.8 days), got 3000000000",
    );
  });

  it("refuses Infinity, NaN, 0, fractions, negatives and strings; takes 1 to 2^31−1", () => {
    const { options } = standIn();
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, 0, 1.5, -1, "5000"]) {
      expect(() => new DynamoDbClient({ ...options, requestTimeoutMs: bad as number }), String(bad)).toThrow(
        RangeError,
      );
      expect(
        () => dynamoDbStores({ ...options, tableName: "t", requestTimeoutMs: bad as number }),
        String(bad),
      ).toThrow(RangeError);
    }
    for (const good of [1, 5_000, MAX]) {
      expect(() => new DynamoDbClient({ ...options, requestTimeoutMs: good })).not.toThrow();
    }
  });
});

describe("retry delays", () => {
  it("refuses delays no timer can wait (retries would not wait at all)", async () => {
    const { options } = standIn();
    const outcome = await outcomeOf(() => {
      new DynamoDbClient({ ...options, retry: { baseDelayMs: 3e9, maxDelayMs: 3e9, maxElapsedMs: 1e12 } });
      return "accepted";
    });
    expect(outcome).toBe(`RangeError: retry.baseDelayMs ${bound(0)}, got 3000000000`);
    for (const name of ["baseDelayMs", "maxDelayMs", "maxElapsedMs"]) {
      for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, -1]) {
        expect(() => new DynamoDbClient({ ...options, retry: { [name]: bad } }), `${name} ${bad}`).toThrow(
          `retry.${name} ${bound(0)}, got ${bad}`,
        );
      }
      expect(() => new DynamoDbClient({ ...options, retry: { [name]: MAX } })).not.toThrow();
    }
  });
});

describe("the bus", () => {
  it("refuses a poll interval no timer can wait, instead of polling without pause", async () => {
    const { calls, options } = standIn(() => ({ Items: [] }));
    const client = new DynamoDbClient(options);
    const outcome = await outcomeOf(async () => {
      const bus = new DynamoDbBus(client, { tableName: "t", pollMs: 3e9 });
      const subscription = await bus.subscribe({ kind: "topic" }, () => {});
      const before = calls.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const polls = calls.length - before;
      await subscription.unsubscribe();
      bus.close();
      return `accepted; ${polls > 10 ? "more than 10" : polls} polls in 100 ms`;
    });
    expect(outcome).toBe(`RangeError: pollMs ${bound(1)}, got 3000000000`);
  });

  it("refuses out-of-range poll, lookback and message lifetimes, under the names they were given", () => {
    const { options } = standIn();
    const client = new DynamoDbClient(options);
    const cases: [string, object, string][] = [
      ["pollMs", { pollMs: Number.POSITIVE_INFINITY }, `pollMs ${bound(1)}, got Infinity`],
      ["pollMs", { pollMs: 0 }, `pollMs ${bound(1)}, got 0`],
      ["lookbackMs", { lookbackMs: 3e9 }, `lookbackMs ${bound(0)}, got 3000000000`],
      ["lookbackMs", { lookbackMs: Number.POSITIVE_INFINITY }, `lookbackMs ${bound(0)}, got Infinity`],
      ["messageTtlMs", { messageTtlMs: Number.NaN }, `messageTtlMs ${bound(1)}, got NaN`],
      ["messageTtlMs", { messageTtlMs: 3e9 }, `messageTtlMs ${bound(1)}, got 3000000000`],
    ];
    for (const [name, given, message] of cases) {
      expect(() => new DynamoDbBus(client, { tableName: "t", ...given }), name).toThrow(message);
    }
    expect(() => dynamoDbStores({ ...options, tableName: "t", busPollMs: 3e9 })).toThrow(
      `busPollMs ${bound(1)}, got 3000000000`,
    );
    expect(() => dynamoDbStores({ ...options, tableName: "t", busLookbackMs: -1 })).toThrow(
      `busLookbackMs ${bound(0)}, got -1`,
    );
    const bus = new DynamoDbBus(client, { tableName: "t", pollMs: MAX, lookbackMs: MAX - 60_000 });
    bus.close();
  });
});

describe("eventTtlMs", () => {
  it("refuses a lifetime that is not finite or longer than the bound", () => {
    const { options } = standIn();
    const client = new DynamoDbClient(options);
    const outcome = (() => {
      try {
        new DynamoDbEventStore(client, { tableName: "t", eventTtlMs: Number.POSITIVE_INFINITY });
        return "accepted";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    })();
    expect(outcome).toBe(`RangeError: eventTtlMs ${bound(1)}, got Infinity`);
    for (const bad of [MAX + 1, Number.NaN, 0, -1, "86400000"]) {
      expect(() => new DynamoDbEventStore(client, { tableName: "t", eventTtlMs: bad as number })).toThrow(
        RangeError,
      );
      expect(() => dynamoDbStores({ ...options, tableName: "t", eventTtlMs: bad as number })).toThrow(
        RangeError,
      );
    }
    expect(() => new DynamoDbEventStore(client, { tableName: "t", eventTtlMs: MAX })).not.toThrow();
  });
});

describe("createTable timeoutMs", () => {
  it("refuses a wait that is not a finite number of ms before sending anything", async () => {
    let refuse = false;
    const { calls, options } = standIn((operation) => {
      if (refuse) return { __type: "com.amazonaws.dynamodb.v20120810#ValidationException", message: "stop" };
      return operation === "DescribeTable" ? { Table: { TableStatus: "CREATING" } } : {};
    });
    const client = new DynamoDbClient(options);
    const creating = createTable(client, { tableName: "t", timeToLive: false, timeoutMs: Number.NaN }).then(
      () => "created",
      (error: Error) => `${error.name}: ${error.message}`,
    );
    const outcome = await Promise.race([
      creating,
      new Promise<string>((resolve) =>
        setTimeout(() => resolve(`accepted; still waiting after 300 ms (${calls.length} calls)`), 300),
      ),
    ]);
    refuse = true; // ends a wait that would go on forever
    await creating;
    expect(outcome).toBe(`RangeError: timeoutMs ${bound(0)}, got NaN`);
    expect(calls).toEqual([]);
  });
});
