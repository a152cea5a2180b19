/** The Redis layout behind the stores (as the README describes it), expiry, and trimming. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackends } from "./_backends.ts";
import { type OpenedStores, openStores } from "./_clients.ts";
import { type Resp, type RespConnection, respConnect } from "./_resp.ts";

const backends = useBackends();
let raw: RespConnection;
let opened: OpenedStores;

beforeAll(async () => {
  raw = await respConnect(backends.redis.port);
  opened = await openStores("node-redis", backends.direct(), { maxEventsPerStream: 10 });
});

afterAll(async () => {
  await opened?.close();
  raw?.close();
});

async function command(...args: string[]): Promise<Resp> {
  return (await raw.send([args]))[0] as Resp;
}

const integer = (reply: Resp) => (reply.kind === "integer" ? reply.value : Number.NaN);
const text = (reply: Resp) => (reply.kind === "bulk" ? reply.value.toString("utf8") : undefined);

describe("layout", () => {
  it("keeps a session record as one string key with a header and a Redis expiry", async () => {
    await opened.stores.sessions.create({ kind: "session", session: "layout" }, { a: 1 }, 60_000);
    // The key's canonical text (storeKeyText) after the store's prefix.
    const stored = text(await command("GET", "portico:s:portico:session:layout"));
    expect(stored).toMatch(/^1 [0-9]{13} [0-9a-f]{16} \{"a":1\}$/);
    const ttl = integer(await command("PTTL", "portico:s:portico:session:layout"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("keeps a session's events in one hash tag: counter, one stream per stream id, the set of stream ids", async () => {
    const { events } = opened.stores;
    const a1 = await events.append("lay", "a", 1);
    const b1 = await events.append("lay", "b", 2);
    const a2 = await events.append("lay", "a", 3);
    const seqs = [a1, b1, a2].map((id) => Number(id.slice(id.lastIndexOf("-") + 1)));
    expect(seqs).toStrictEqual([1, 2, 3]);
    expect(await command("HGET", "portico:e:{lay}:n", "n")).toStrictEqual({
      kind: "bulk",
      value: Buffer.from("3"),
    });
    expect(integer(await command("XLEN", "portico:e:{lay}:s:a"))).toBe(2);
    expect(integer(await command("XLEN", "portico:e:{lay}:s:b"))).toBe(1);
    expect(integer(await command("SCARD", "portico:e:{lay}:streams"))).toBe(2);
    for (const key of ["n", "s:a", "s:b", "streams"]) {
      const ttl = integer(await command("PTTL", `portico:e:{lay}:${key}`));
      expect(ttl, key).toBeGreaterThan(23 * 60 * 60 * 1000);
    }
    await events.trim("lay");
    expect(integer(await command("EXISTS", "portico:e:{lay}:s:a", "portico:e:{lay}:s:b"))).toBe(0);
    expect(integer(await command("EXISTS", "portico:e:{lay}:streams"))).toBe(0);
    // The counter stays, so ids go on rising after a trim.
    const next = await events.append("lay", "a", 4);
    expect(Number(next.slice(next.lastIndexOf("-") + 1))).toBe(4);
  });
});

describe("bounds", () => {
  it("trims long streams; a trimmed id replays as unknown", async () => {
    const { events } = opened.stores;
    const ids: string[] = [];
    for (let i = 0; i < 300; i++) ids.push(await events.append("long", "s", i));
    const length = integer(await command("XLEN", "portico:e:{long}:s:s"));
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThan(300);
    expect(await events.replay("long", ids[0] as string)).toBeUndefined();
    expect((await events.replay("long", ids[297] as string))?.events.map((e) => e.message)).toStrictEqual([
      298, 299,
    ]);
  });

  it("lets a session's events expire eventTtlMs after its last append", async () => {
    const short = await openStores("ioredis", backends.direct(), { eventTtlMs: 1_000 });
    try {
      const first = await short.stores.events.append("brief", "s", 1);
      await short.stores.events.append("brief", "s", 2);
      expect((await short.stores.events.replay("brief", first))?.events).toHaveLength(1);
      const deadline = Date.now() + 5_000;
      while ((await short.stores.events.replay("brief", first)) !== undefined) {
        if (Date.now() > deadline) throw new Error("events did not expire");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(integer(await command("EXISTS", "portico:e:{brief}:n", "portico:e:{brief}:s:s"))).toBe(0);
    } finally {
      await short.close();
    }
  });
});
