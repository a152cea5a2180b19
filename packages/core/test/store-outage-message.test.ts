/**
 * A store outage's 503 names the storage that failed — `session storage`, `rate-limit storage` —
 * and nothing more (no backend, no key, no cause): a rate-limit store outage is not a session one.
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  McpServer,
  memoryStores,
  type RateLimitStore,
  type Stores,
  StoreUnavailableError,
  storeTimeoutOf,
  timedRateLimitStore,
} from "../src/index.ts";
import { modernRequest, read } from "./_client.ts";

const BUCKET = { limit: 5, periodMs: 1000, burst: 5, cost: 1 };

/** A server whose one tool takes a token from `stores.limits` (as a rate limit does) before it answers. */
function limitedServer(limits: RateLimitStore, storeTimeoutMs?: number) {
  const server = new McpServer({ name: "t", version: "1" });
  server.use(async (call, next) => {
    await call.stores.limits?.take({ kind: "rate", id: "k" }, BUCKET);
    return next();
  });
  addTool(server, "echo", {}, () => "hi");
  const stores: Stores = { ...memoryStores(), limits };
  const reported: unknown[] = [];
  const handler = createHandler(server, {
    stores,
    ...(storeTimeoutMs === undefined ? {} : { storeTimeoutMs }),
    onError: (error) => reported.push(error),
  });
  return { handler, reported };
}

const call = () => modernRequest("tools/call", { name: "echo", arguments: {} });

describe("a store outage's message", () => {
  it("names the rate-limit storage when the limits store fails", async () => {
    const { handler, reported } = limitedServer({
      take: async () => {
        throw new StoreUnavailableError("redis at 10.0.0.7:6379 refused", { retryAfterSeconds: 2 });
      },
    });
    const answer = await read(await handler.fetch(call()));
    expect(answer.status).toBe(503);
    expect(answer.final.error.code).toBe(-32603);
    expect(answer.final.error.message).toBe(
      "Service Unavailable: rate-limit storage is unreachable, retry later",
    );
    expect(JSON.stringify(answer.final)).not.toContain("10.0.0.7");
    expect(reported).toHaveLength(1);
  });

  it("names the rate-limit storage when the limits store stops answering (the store deadline)", async () => {
    const { handler } = limitedServer({ take: () => new Promise(() => {}) }, 50);
    const answer = await read(await handler.fetch(call()));
    expect(answer.status).toBe(503);
    expect(answer.final.error.message).toMatch(/rate-limit storage is unreachable/);
  });

  it("says storage when it cannot tell which store failed (no deadline: storeTimeoutMs 0)", async () => {
    const { handler } = limitedServer(
      {
        take: async () => {
          throw new StoreUnavailableError("down");
        },
      },
      0,
    );
    const answer = await read(await handler.fetch(call()));
    expect(answer.status).toBe(503);
    expect(answer.final.error.message).toBe("Service Unavailable: storage is unreachable, retry later");
  });
});

describe("a store's deadline outside the handler's stores", () => {
  it("storeTimeoutOf gives a handler's storeTimeoutMs; timedRateLimitStore bounds a store as the handler's are", async () => {
    let seen: number | undefined;
    const server = new McpServer({ name: "t", version: "1" });
    server.use(async (c, next) => {
      seen = storeTimeoutOf(c.stores);
      return next();
    });
    addTool(server, "echo", {}, () => "hi");
    await createHandler(server, { storeTimeoutMs: 1234 }).fetch(call());
    expect(seen).toBe(1234);
    await createHandler(server, { storeTimeoutMs: 0 }).fetch(call());
    expect(seen).toBe(0);
    expect(storeTimeoutOf(memoryStores())).toBeUndefined();

    const hanging: RateLimitStore = { take: () => new Promise(() => {}) };
    expect(timedRateLimitStore(hanging, 0)).toBe(hanging);
    await expect(
      timedRateLimitStore(hanging, 20).take({ kind: "rate", id: "k" }, BUCKET),
    ).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
