/**
 * `maxBytesPerSession` beyond the shared battery: the ledger and byte count behind it (as the
 * README describes them), one script call per append, retried appends, `maxEventsPerStream` and
 * stream trims in the accounting, expiry, and option validation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisConnection } from "../src/index.ts";
import { RedisEventStore, redisStores, toRedisConnection } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, type OpenedStores, openStores } from "./_clients.ts";
import { type Resp, type RespConnection, respConnect } from "./_resp.ts";
import { startTcpProxy, type TcpProxy } from "./_tcp-proxy.ts";

const backends = useBackends();
const BOUND = 1000;
const P = "bytes:e:";
let raw: RespConnection;
let opened: OpenedStores;

beforeAll(async () => {
  raw = await respConnect(backends.redis.port);
  opened = await openStores("node-redis", backends.direct(), {
    keyPrefix: "bytes:",
    maxBytesPerSession: BOUND,
  });
});

afterAll(async () => {
  await opened?.close();
  raw?.close();
});

async function command(...args: string[]): Promise<Resp> {
  return (await raw.send([args]))[0] as Resp;
}

const integer = async (...args: string[]) => {
  const reply = await command(...args);
  return reply.kind === "integer" ? reply.value : Number.NaN;
};
const texts = async (...args: string[]) => {
  const reply = await command(...args);
  return reply.kind === "array"
    ? reply.value.map((item) => (item.kind === "bulk" ? item.value.toString() : ""))
    : [];
};
/** The session's byte count (`b` in its counter hash), or undefined when absent. */
const counted = async (session: string) => {
  const reply = await command("HGET", `${P}{${session}}:n`, "b");
  return reply.kind === "bulk" ? Number(reply.value.toString()) : undefined;
};
const ledger = (session: string) => texts("ZRANGE", `${P}{${session}}:ledger`, "0", "-1");
/** A message whose JSON text is `bytes` long: a string of `bytes - 2` characters. */
const sized = (bytes: number) => "x".repeat(bytes - 2);
const seqOf = (id: string) => id.slice(id.lastIndexOf("-") + 1);

/** `inner` with a record of the commands sent through it. */
function recording(inner: RedisConnection["send"]): RedisConnection & { sent: string[][] } {
  const sent: string[][] = [];
  return {
    sent,
    send: (cmd, signal) => {
      sent.push(cmd);
      return inner(cmd, signal);
    },
  };
}

describe("the ledger and the byte count", () => {
  it("counts each event's JSON text in UTF-8 bytes, one ledger member per event, keys expiring together", async () => {
    const { events } = opened.stores;
    const messages = ["plain", { text: "é€😀" }, [1, 2, 3]];
    const ids = [];
    for (const message of messages) ids.push(await events.append("layout", "a", message));
    const sizes = messages.map((message) => Buffer.byteLength(JSON.stringify(message)));
    expect(sizes[1]).toBeGreaterThan(JSON.stringify(messages[1]).length);
    expect(await counted("layout")).toBe(sizes.reduce((sum, size) => sum + size, 0));
    expect(await ledger("layout")).toStrictEqual(ids.map((id, i) => `${seqOf(id)} ${sizes[i]} a`));
    for (const key of ["n", "s:a", "streams", "ledger"]) {
      expect(await integer("PTTL", `${P}{layout}:${key}`), key).toBeGreaterThan(23 * 60 * 60 * 1000);
    }
  });

  it("lets the ledger expire with the other keys, eventTtlMs after the last append", async () => {
    const short = await openStores("ioredis", backends.direct(), { keyPrefix: "bytes:", eventTtlMs: 1_000 });
    try {
      await short.stores.events.append("brief", "s", 1);
      const keys = ["n", "s:s", "streams", "ledger"].map((key) => `${P}{brief}:${key}`);
      for (const key of keys) expect(await integer("PTTL", key), key).toBeGreaterThan(0);
      const deadline = Date.now() + 5_000;
      while ((await integer("EXISTS", ...keys)) > 0) {
        if (Date.now() > deadline) throw new Error("the event keys did not expire");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await short.close();
    }
  });

  it("sends one script per append, also one that evicts", async () => {
    const connection = toRedisConnection(opened.client);
    const counting = recording((cmd, signal) => connection.send(cmd, signal));
    const { sent } = counting;
    const events = new RedisEventStore(counting, { keyPrefix: "bytes:", maxBytesPerSession: BOUND });
    await events.append("calls-warm-up", "a", 1); // the server caches the script (at most one EVAL)
    sent.length = 0;
    for (let n = 0; n < 10; n++) await events.append("calls", n % 2 ? "a" : "b", sized(300));
    expect(sent.map((cmd) => cmd[0])).toStrictEqual(Array(10).fill("EVALSHA"));
    expect(await counted("calls")).toBe(900);
    expect(await ledger("calls")).toHaveLength(3);
  });

  it("evicts across streams oldest first, and deletes a stream it empties", async () => {
    const { events } = opened.stores;
    const lone = await events.append("across", "x", sized(200));
    const ids = [];
    for (let n = 0; n < 4; n++) ids.push(await events.append("across", "y", sized(300)));
    expect(await events.replay("across", lone)).toBeUndefined();
    expect(await integer("EXISTS", `${P}{across}:s:x`)).toBe(0);
    expect(await integer("SISMEMBER", `${P}{across}:streams`, "x")).toBe(0);
    expect(await events.replay("across", ids[0] as string)).toBeUndefined();
    expect((await events.replay("across", ids[1] as string))?.events).toHaveLength(2);
    expect(await counted("across")).toBe(900);
  });

  it("takes the events maxEventsPerStream drops out of the count", async () => {
    const few = new RedisEventStore(opened.client, { keyPrefix: "bytes:", maxEventsPerStream: 3 });
    for (let n = 1; n <= 10; n++) await few.append("few", "s", sized(10 * n));
    expect(await integer("XLEN", `${P}{few}:s:s`)).toBe(3);
    expect(await ledger("few")).toHaveLength(3);
    expect(await counted("few")).toBe(80 + 90 + 100);
  });
});

describe("trims", () => {
  it("trim(session, stream) takes exactly that stream's events out of the count", async () => {
    const { events } = opened.stores;
    const kept = [];
    for (let n = 0; n < 3; n++) {
      kept.push(await events.append("trim-one", "a", sized(200)));
      await events.append("trim-one", "b", sized(100));
    }
    await events.trim("trim-one", "b");
    expect(await counted("trim-one")).toBe(600);
    expect(await ledger("trim-one")).toStrictEqual(kept.map((id) => `${seqOf(id)} 200 a`));
    expect(await integer("EXISTS", `${P}{trim-one}:s:b`)).toBe(0);
    expect(await integer("SISMEMBER", `${P}{trim-one}:streams`, "b")).toBe(0);
    // Exactly at the bound now: nothing of "a" goes (an upper-bound count would evict its oldest).
    kept.push(await events.append("trim-one", "a", sized(400)));
    expect(await counted("trim-one")).toBe(BOUND);
    expect((await events.replay("trim-one", kept[0] as string))?.events).toHaveLength(3);
  });

  it("trim(session, stream) pages through a long stream", async () => {
    const events = new RedisEventStore(opened.client, { keyPrefix: "bytes:" });
    const other = await events.append("trim-long", "d", sized(50));
    for (let n = 0; n < 600; n++) await events.append("trim-long", "c", n);
    await events.trim("trim-long", "c");
    expect(await ledger("trim-long")).toStrictEqual([`${seqOf(other)} 50 d`]);
    expect(await counted("trim-long")).toBe(50);
  });

  it("trim(session) deletes the ledger and the count; the sequence counter stays", async () => {
    const { events } = opened.stores;
    await events.append("trim-all", "a", sized(100));
    await events.append("trim-all", "b", sized(100));
    await events.trim("trim-all");
    expect(await integer("EXISTS", `${P}{trim-all}:ledger`, `${P}{trim-all}:streams`)).toBe(0);
    expect(await integer("EXISTS", `${P}{trim-all}:s:a`, `${P}{trim-all}:s:b`)).toBe(0);
    expect(await counted("trim-all")).toBeUndefined();
    expect(seqOf(await events.append("trim-all", "a", sized(100)))).toBe("3");
    expect(await counted("trim-all")).toBe(100);
  });

  it("trim(session) asks again when a stream appeared between its two calls", async () => {
    const answers: unknown[] = [["a"], ["b", "a"], []];
    const connection = recording(async () => answers.shift());
    const { sent } = connection;
    await new RedisEventStore(connection, { keyPrefix: "t:" }).trim("s");
    expect(sent).toHaveLength(3);
    const last = sent[2] as string[];
    expect(last.slice(2, 8)).toStrictEqual([
      "5",
      "t:e:{s}:n",
      "t:e:{s}:streams",
      "t:e:{s}:ledger",
      "t:e:{s}:s:b",
      "t:e:{s}:s:a",
    ]);
    expect(last.slice(8)).toStrictEqual(["b", "a"]);
  });
});

describe("retried appends", () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(backends.redis.port);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  for (const flavour of FLAVOURS) {
    it(`counts an append whose answer was lost once (${flavour})`, async () => {
      const lossy = await openStores(
        flavour,
        { ...backends.direct(), redisPort: proxy.port },
        { keyPrefix: "bytes:", maxBytesPerSession: BOUND },
      );
      try {
        const session = `retry-${flavour}`;
        const { events } = lossy.stores;
        const first = await events.append(session, "s", sized(100));
        if (flavour === "rest") backends.rest.inject("lost-answer");
        else proxy.loseNextAnswer();
        const second = await events.append(session, "s", sized(200));
        expect((await events.replay(session, first))?.events.map((e) => e.id)).toStrictEqual([second]);
        expect(await ledger(session)).toStrictEqual([`${seqOf(first)} 100 s`, `${seqOf(second)} 200 s`]);
        expect(await counted(session)).toBe(300);
      } finally {
        await lossy.close();
      }
    });
  }
});

describe("options", () => {
  const answering: RedisConnection = { send: async () => ["0123456789", "1-0"] };

  it("refuses a maxBytesPerSession that is not a positive integer", () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, "8" as never]) {
      expect(() => new RedisEventStore(answering, { maxBytesPerSession: bad })).toThrow(
        /maxBytesPerSession must be a positive integer/,
      );
      expect(() => redisStores({ client: answering, maxBytesPerSession: bad })).toThrow(RangeError);
    }
  });

  it("defaults to 8 MB and passes the factory's bound on to the append script", async () => {
    const connection = recording((cmd) => answering.send(cmd));
    const { sent } = connection;
    await new RedisEventStore(connection).append("s", "a", 1);
    await redisStores({ client: connection, maxBytesPerSession: 4096 }).events.append("s", "a", 1);
    expect(sent.map((cmd) => cmd.at(-1))).toStrictEqual([String(8 * 1024 * 1024), "4096"]);
  });
});
