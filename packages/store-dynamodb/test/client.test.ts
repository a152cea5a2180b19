import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import type { StoreKey } from "@portico/core";
import { isStoreUnavailable, StoreUnavailableError } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbClient, DynamoDbError, dynamoDbStores, isConditionalCheckFailed } from "../src/index.ts";
import type { LocalTable } from "./_dynalite.ts";
import { credentials, startLocalTable } from "./_dynalite.ts";
import type { Fault, FaultProxy } from "./_fault-proxy.ts";
import { startFaultProxy } from "./_fault-proxy.ts";

/** Fast retries so the tests do not sleep; the attempt bound is what is under test. */
/** A session store key for the test record `name`. */
const k = (name: string): StoreKey => ({ kind: "test", session: name });

const quick = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4, maxElapsedMs: 10_000 };

let table: LocalTable;
let proxy: FaultProxy;

beforeAll(async () => {
  table = await startLocalTable();
  proxy = await startFaultProxy(table.endpoint);
});

afterAll(async () => {
  await proxy?.close();
  await table?.close();
});

function proxied(retry = quick) {
  return dynamoDbStores({ ...table.connection, endpoint: proxy.endpoint, retry, busPollMs: 20 });
}

/** A port nothing listens on: bound once to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("retries", () => {
  const transient: Fault[] = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "http-500",
    "http-503",
    "reset",
  ];
  for (const fault of transient) {
    it(`retries ${fault} and then succeeds`, async () => {
      const { sessions } = proxied();
      const key = k(`retry-${fault}`);
      proxy.seen.length = 0;
      proxy.inject(fault, fault);
      expect(await sessions.create(key, { fault }, 60_000)).toBe(true);
      expect(proxy.seen).toStrictEqual(["PutItem", "PutItem", "PutItem"]);
      expect(await sessions.get(key)).toMatchObject({ value: { fault }, version: 1 });
    });
  }

  it("throws StoreUnavailableError when throttling outlasts the attempts, and writes nothing", async () => {
    const { sessions } = proxied();
    proxy.seen.length = 0;
    proxy.inject(...Array<Fault>(quick.maxAttempts).fill("ProvisionedThroughputExceededException"));
    const error = await sessions.create(k("throttled-out"), 1, 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(isStoreUnavailable(error)).toBe(true);
    expect((error as StoreUnavailableError).retryAfterSeconds).toBeGreaterThan(0);
    expect((error as Error).message).toContain("ProvisionedThroughputExceededException");
    expect(proxy.seen).toHaveLength(quick.maxAttempts);
    expect(await sessions.get(k("throttled-out"))).toBeUndefined();
  });

  it("gives up after maxElapsedMs even with attempts left", async () => {
    // Every attempt takes at least 5 ms, so no retry fits into a budget of 0 ms.
    const slow: typeof fetch = async (input, init) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return fetch(input, init);
    };
    const client = new DynamoDbClient({
      ...table.connection,
      endpoint: proxy.endpoint,
      fetch: slow,
      retry: { maxAttempts: 100, baseDelayMs: 1, maxDelayMs: 1, maxElapsedMs: 0 },
    });
    proxy.seen.length = 0;
    proxy.inject("http-503");
    await expect(client.send("ListTables", {})).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(proxy.seen).toStrictEqual(["ListTables"]);
  });

  it("does not retry a failed condition: create answers false after one request", async () => {
    const { sessions } = proxied();
    await sessions.create(k("taken"), "first", 60_000);
    proxy.seen.length = 0;
    expect(await sessions.create(k("taken"), "second", 60_000)).toBe(false);
    expect(await sessions.update(k("taken"), 7, "stale", 60_000)).toBe(false);
    expect(proxy.seen).toStrictEqual(["PutItem", "PutItem"]);
    expect(await sessions.get(k("taken"))).toMatchObject({ value: "first", version: 1 });
  });

  it("reports a create whose answer was lost but which was applied as created (write token)", async () => {
    const { sessions } = proxied();
    proxy.inject("lost-answer");
    expect(await sessions.create(k("lost-create"), "mine", 60_000)).toBe(true);
    expect(await sessions.get(k("lost-create"))).toMatchObject({ value: "mine", version: 1 });
    proxy.inject("lost-answer");
    expect(await sessions.update(k("lost-create"), 1, "mine again", 60_000)).toBe(true);
    expect(await sessions.get(k("lost-create"))).toMatchObject({ value: "mine again", version: 2 });
  });

  it("still answers false after a lost answer when someone else holds the record", async () => {
    const { sessions } = proxied();
    await sessions.create(k("held"), "theirs", 60_000);
    proxy.inject("http-500");
    expect(await sessions.create(k("held"), "mine", 60_000)).toBe(false);
    expect(await sessions.get(k("held"))).toMatchObject({ value: "theirs", version: 1 });
  });

  it("throws DynamoDbError at once for errors retrying cannot fix", async () => {
    const client = new DynamoDbClient({ ...table.connection, endpoint: proxy.endpoint, retry: quick });
    proxy.seen.length = 0;
    const error = await client
      .send("GetItem", { TableName: "no-such-table", Key: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoDbError);
    expect(isStoreUnavailable(error)).toBe(false);
    expect(isConditionalCheckFailed(error)).toBe(false);
    expect(proxy.seen).toStrictEqual(["GetItem"]);
  });

  it("refuses an item over DynamoDB's 400 KB limit with a DynamoDbError", async () => {
    const { sessions } = proxied();
    const error = await sessions.create(k("huge"), "x".repeat(450 * 1024), 60_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoDbError);
    expect((error as DynamoDbError).type).toBe("ValidationException");
  });
});

describe("unreachable endpoint", () => {
  it("throws StoreUnavailableError for reads and writes when nothing listens", async () => {
    const port = await closedPort();
    const stores = dynamoDbStores({
      tableName: "t",
      endpoint: `http://127.0.0.1:${port}`,
      credentials,
      retry: quick,
    });
    await expect(stores.sessions.get(k("k"))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.sessions.create(k("k"), 1, 1_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.events.append("s", "a", 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.bus.publish({ kind: "t" }, 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(stores.bus.subscribe({ kind: "t" }, () => {})).rejects.toBeInstanceOf(StoreUnavailableError);
    const error = await stores.sessions.get(k("k")).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/after 4 attempt/);
    expect((error as Error).cause).toBeDefined();
  });

  it("times out an attempt that never answers and reports the store unavailable", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const sockets = new Set<import("node:net").Socket>();
    silent.on("connection", (socket) => sockets.add(socket));
    try {
      const { port } = silent.address() as AddressInfo;
      const client = new DynamoDbClient({
        endpoint: `http://127.0.0.1:${port}`,
        credentials,
        requestTimeoutMs: 50,
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      });
      await expect(client.send("GetItem", {})).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("configuration", () => {
  it("reads credentials and region from the environment when none are given", async () => {
    const saved = { ...process.env };
    let seen: Headers | undefined;
    try {
      process.env.AWS_ACCESS_KEY_ID = "AKIDFROMENV";
      process.env.AWS_SECRET_ACCESS_KEY = "secret-from-env";
      process.env.AWS_SESSION_TOKEN = "token-from-env";
      process.env.AWS_REGION = "eu-central-1";
      const client = new DynamoDbClient({
        fetch: async (_url, init) => {
          seen = new Headers(init?.headers);
          return new Response("{}");
        },
      });
      expect(client.endpoint.href).toBe("https://dynamodb.eu-central-1.amazonaws.com/");
      await client.send("ListTables", {});
      expect(seen?.get("authorization")).toContain("Credential=AKIDFROMENV/");
      expect(seen?.get("authorization")).toContain("/eu-central-1/dynamodb/aws4_request");
      expect(seen?.get("x-amz-security-token")).toBe("token-from-env");
    } finally {
      process.env = saved;
    }
  });

  it("explains missing credentials and a missing region", async () => {
    const saved = { ...process.env };
    try {
      for (const name of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"]) {
        delete process.env[name];
      }
      expect(() => new DynamoDbClient()).toThrow(/region/);
      const client = new DynamoDbClient({ region: "us-east-1", fetch: async () => new Response("{}") });
      await expect(client.send("ListTables", {})).rejects.toThrow(/AWS_ACCESS_KEY_ID/);
    } finally {
      process.env = saved;
    }
  });

  it("accepts a credentials provider function", async () => {
    let calls = 0;
    const client = new DynamoDbClient({
      ...table.connection,
      credentials: async () => {
        calls += 1;
        return credentials;
      },
    });
    await client.send("ListTables", {});
    expect(calls).toBe(1);
  });
});
