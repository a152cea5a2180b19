/**
 * How the stores talk to Redis: lost answers, error replies, transient replies, deadlines, and the
 * clients they accept.
 */
import { isStoreUnavailable, StoreUnavailableError } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisConnection } from "../src/index.ts";
import {
  RedisError,
  RedisRestClient,
  RedisSessionStore,
  redisStores,
  toRedisConnection,
} from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, type OpenedStores, openClient, openStores } from "./_clients.ts";
import { scripted } from "./_raw.ts";
import { startTcpProxy, type TcpProxy } from "./_tcp-proxy.ts";

const backends = useBackends();
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await startTcpProxy(backends.redis.port);
});

afterAll(async () => {
  await proxy?.close();
});

for (const flavour of FLAVOURS) {
  describe(`via ${flavour}`, () => {
    let opened: OpenedStores;
    /** Loses the answer to the next command (it still runs). */
    let loseNextAnswer: () => void;

    beforeAll(async () => {
      opened = await openStores(flavour, { ...backends.direct(), redisPort: proxy.port });
      loseNextAnswer =
        flavour === "rest" ? () => backends.rest.inject("lost-answer") : () => proxy.loseNextAnswer();
    });

    afterAll(async () => {
      await opened?.close();
    });

    it("recognises its own create and update after a lost answer (write token) and reports them done", async () => {
      const { sessions } = opened.stores;
      const key = { kind: "session", session: `lost-${flavour}` };
      loseNextAnswer();
      expect(await sessions.create(key, "mine", 60_000)).toBe(true);
      expect(await sessions.get(key)).toMatchObject({ value: "mine", version: 1 });
      loseNextAnswer();
      expect(await sessions.update(key, 1, "mine again", 60_000)).toBe(true);
      expect(await sessions.get(key)).toMatchObject({ value: "mine again", version: 2 });
      // Someone else's record still wins over a retried create.
      loseNextAnswer();
      expect(await sessions.create(key, "not mine", 60_000)).toBe(false);
      expect(await sessions.get(key)).toMatchObject({ value: "mine again", version: 2 });
    });

    it("stores an append whose answer was lost exactly once, and answers its id (append token)", async () => {
      const { events } = opened.stores;
      const session = `once-${flavour}`;
      const first = await events.append(session, "s", 1);
      loseNextAnswer();
      const second = await events.append(session, "s", 2);
      const third = await events.append(session, "s", 3);
      expect((await events.replay(session, first))?.events).toStrictEqual([
        { id: second, message: 2 },
        { id: third, message: 3 },
      ]);
    });

    it("turns error replies into RedisError, not StoreUnavailableError", async () => {
      const { sessions, events } = opened.stores;
      const raw = toRedisConnection(opened.client);
      const key = { kind: "wrong", session: flavour };
      await raw.send(["DEL", `portico:s:portico:wrong:${flavour}`]);
      await raw.send(["LPUSH", `portico:s:portico:wrong:${flavour}`, "x"]);
      const error = await sessions.get(key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RedisError);
      expect((error as RedisError).reply).toBe("WRONGTYPE");
      expect(isStoreUnavailable(error)).toBe(false);
      await expect(sessions.create(key, 1, 1_000)).rejects.toBeInstanceOf(RedisError);
      await expect(events.append("s", "bad stream id", 1)).rejects.toBeInstanceOf(TypeError);
    });
  });
}

describe("REST", () => {
  it("refuses a wrong token with a RedisError (HTTP401), at once", async () => {
    const client = new RedisRestClient({ url: backends.rest.url, token: "wrong" });
    const { sessions } = redisStores({ client });
    const seen = backends.rest.seen.length;
    const error = await sessions.get({ kind: "k" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisError);
    expect((error as RedisError).reply).toBe("HTTP401");
    expect(backends.rest.seen.length).toBe(seen);
  });

  it("retries 5xx and resets for reads, and sends back the sync token", async () => {
    const { sessions } = redisStores({
      client: new RedisRestClient({ url: backends.rest.url, token: backends.rest.token }),
    });
    await sessions.create({ kind: "rest-retry" }, "v", 60_000);
    backends.rest.inject("http-503", "reset");
    expect(await sessions.get({ kind: "rest-retry" })).toMatchObject({ value: "v" });
    expect(backends.rest.syncTokens.at(-1)).not.toBe("");
  });

  it("does not retry a polling-bus publish whose answer was lost (it would be delivered twice)", async () => {
    const { bus } = redisStores({
      client: new RedisRestClient({ url: backends.rest.url, token: backends.rest.token }),
    });
    const seen = backends.rest.seen.length;
    backends.rest.inject("lost-answer");
    await expect(bus.publish({ kind: "rest-once" }, 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(backends.rest.seen.length).toBe(seen + 1);
  });
});

describe("deadlines and retries (scripted connection)", () => {
  it("retries transient error replies even for writes that must not run twice", async () => {
    const connection = scripted([
      () => Promise.reject(new RedisError("LOADING Redis is loading the dataset in memory", "LOADING")),
      () => Promise.reject(new RedisError("BUSY Redis is busy running a script", "BUSY")),
      () => Promise.resolve(["0123456789", "7-0"]),
    ]);
    const { events } = redisStores({ client: connection, retries: 2 });
    expect(await events.append("s", "a", 1)).toBe("a/0123456789-7");
    expect(connection.calls).toHaveLength(3);
  });

  it("gives up with StoreUnavailableError when the transient replies outlast the retries", async () => {
    const loading = () => Promise.reject(new RedisError("LOADING still loading", "LOADING"));
    const connection = scripted([loading, loading, loading]);
    const { sessions } = redisStores({ client: connection, retries: 1 });
    const error = await sessions.get({ kind: "k" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/after 2 attempt/);
    expect(connection.calls).toHaveLength(2);
  });

  it("fails a command that never answers with StoreUnavailableError and aborts its signal", async () => {
    let signal: AbortSignal | undefined;
    const connection: RedisConnection = {
      send: (_command, abort) => {
        signal = abort;
        return new Promise(() => {});
      },
    };
    const sessions = new RedisSessionStore(connection, { timeoutMs: 50, retries: 0 });
    await expect(sessions.get({ kind: "k" })).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(signal?.aborted).toBe(true);
  });

  it("accepts node-redis, ioredis and RedisConnection objects, and nothing else", async () => {
    for (const flavour of FLAVOURS) {
      const opened = await openClient(flavour, backends.direct());
      try {
        expect(await toRedisConnection(opened.client).send(["PING"])).toBe("PONG");
      } finally {
        await opened.close();
      }
    }
    expect(() => redisStores({ client: {} as RedisConnection })).toThrow(
      /node-redis client, an ioredis client/,
    );
    expect(() =>
      redisStores({ client: new RedisRestClient({ url: backends.rest.url, token: "t" }), bus: "pubsub" }),
    ).toThrow(/RedisPollingBus/);
  });

  it("refuses values that are not JSON", async () => {
    const { sessions, bus } = redisStores({ client: scripted([]) });
    const key = { kind: "k" };
    await expect(sessions.create(key, Number.NaN, 1_000)).rejects.toThrow(TypeError);
    await expect(sessions.create(key, new Map() as never, 1_000)).rejects.toThrow(/Map/);
    await expect(sessions.create(key, undefined as never, 1_000)).rejects.toThrow(TypeError);
    await expect(sessions.create(key, 1, 0)).rejects.toThrow(RangeError);
    class Point {
      x = 1;
    }
    await expect(bus.publish({ kind: "t" }, { at: new Point() } as never)).rejects.toThrow(/Point/);
  });
});
