/**
 * What the stores send: scripts by EVALSHA (EVAL once when the server lost them: NOSCRIPT), reads
 * as plain commands (the READ and POLL scripts with `primaryReads`), replies in one shape whatever
 * the client — for every client kind, counted by a recording connection and `INFO commandstats`.
 */
import { createHash } from "node:crypto";
import type { StoreKey } from "@portico/core";
import { createHandler, StoreUnavailableError } from "@portico/core";
import { createQuickstartServer } from "@portico/example-quickstart/tools";
import { initializeBody, initializedBody, legacyPost } from "@portico/test-kit";
import { describe, expect, it, vi } from "vitest";
import { normaliseReply } from "../src/_commands.ts";
import { PUBLISH, UPDATE } from "../src/_scripts.ts";
import type { RedisConnection } from "../src/index.ts";
import { RedisError, RedisSessionStore, redisStores, toRedisConnection } from "../src/index.ts";
import { streamsOf } from "../src/polling-bus.ts";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, openClient, openStores } from "./_clients.ts";
import { scripted as scriptedConnection, useRawConnection } from "./_raw.ts";

const backends = useBackends();
const raw = useRawConnection(backends);

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls per command so far (`INFO commandstats`). */
async function commandstats(): Promise<Map<string, number>> {
  const [reply] = await raw.send([["INFO", "commandstats"]]);
  const text = reply?.kind === "bulk" ? reply.value.toString("utf8") : "";
  const stats = [...text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)];
  return new Map(stats.map(([, name, calls]) => [name as string, Number(calls)]));
}

/** The commands Redis executed while `run` ran, those inside scripts too, by name. */
async function executed(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await commandstats();
  await run();
  const after = await commandstats();
  const delta: Record<string, number> = {};
  for (const [name, calls] of after) {
    const n = calls - (before.get(name) ?? 0) - (name === "info" ? 1 : 0);
    if (n > 0) delta[name] = n;
  }
  return delta;
}

/** `connection`, recording the name of every command it sends. */
function recording(connection: RedisConnection): { sent: string[]; connection: RedisConnection } {
  const sent: string[] = [];
  const send: RedisConnection["send"] = (command, signal) => {
    sent.push(command[0] as string);
    return connection.send(command, signal);
  };
  return { sent, connection: { send } };
}

/** A connection answering from a list, recording every command; past the list, 1. */
const scripted = (answers: ((command: string[]) => Promise<unknown>)[]) =>
  scriptedConnection(answers, () => Promise.resolve(1));

const noScript = () =>
  Promise.reject(new RedisError("NOSCRIPT No matching script. Please use EVAL.", "NOSCRIPT"));

for (const flavour of FLAVOURS) {
  describe(`via ${flavour}`, () => {
    it("falls back to EVAL once per script after the server lost its scripts (NOSCRIPT), then sends EVALSHA again", async () => {
      const opened = await openClient(flavour, backends.direct());
      try {
        const { sent, connection } = recording(toRedisConnection(opened.client));
        const options = { client: connection, keyPrefix: `noscript-${flavour}:`, bus: "poll" as const };
        const { sessions, events } = redisStores(options);
        const key = { kind: "k" };
        expect(await sessions.create(key, "a", 60_000)).toBe(true);
        await raw.send([["SCRIPT", "FLUSH"]]);
        sent.length = 0;
        expect(await sessions.update(key, 1, "b", 60_000)).toBe(true);
        expect(sent).toStrictEqual(["EVALSHA", "EVAL"]);
        expect(await sessions.update(key, 2, "c", 60_000)).toBe(true);
        const first = await events.append("s", "x", 1);
        const second = await events.append("s", "x", 2);
        expect(sent).toStrictEqual(["EVALSHA", "EVAL", "EVALSHA", "EVALSHA", "EVAL", "EVALSHA"]);
        expect((await events.replay("s", first))?.events).toStrictEqual([{ id: second, message: 2 }]);
        expect(await sessions.get(key)).toMatchObject({ value: "c", version: 3 });
        const [cached] = await raw.send([["SCRIPT", "EXISTS", sha1(UPDATE)]]);
        expect(cached).toStrictEqual({ kind: "array", value: [{ kind: "integer", value: 1 }] });
      } finally {
        await opened.close();
      }
    });

    it("reads with plain commands unless primaryReads: a session get is one GET, a poll one XREAD", async () => {
      const opened = await openStores(flavour, backends.direct(), {
        keyPrefix: `plain-${flavour}:`,
        primaryReads: false,
        bus: "poll",
        busPollMs: 10,
      });
      try {
        const { sessions, bus } = opened.stores;
        const key = { kind: "k" };
        await sessions.create(key, { a: 1 }, 60_000);
        const reads = await executed(async () => {
          for (let i = 0; i < 5; i++) expect(await sessions.get(key)).toMatchObject({ value: { a: 1 } });
          expect(await sessions.get({ kind: "absent" })).toBeUndefined();
        });
        expect(reads).toStrictEqual({ get: 6 });
        const topics: StoreKey[] = [{ kind: "t1" }, { kind: "t2" }];
        for (const topic of topics) await bus.publish(topic, "warm-up"); // caches the PUBLISH script
        const got: unknown[] = [];
        const polling = await executed(async () => {
          const subscriptions = await Promise.all(
            topics.map((t) => bus.subscribe(t, (m) => void got.push(m))),
          );
          for (const topic of topics) await bus.publish(topic, topic.kind);
          for (let i = 0; got.length < 2 && i < 500; i++) await sleep(10);
          for (const subscription of subscriptions) await subscription.unsubscribe();
        });
        // One XREAD reads both topics: RESP3 map (node-redis), flat map (ioredis), RESP2 (REST).
        expect(got.sort()).toStrictEqual(["t1", "t2"]);
        expect(polling).toMatchObject({ xrevrange: 2, evalsha: 2, xadd: 2 });
        expect(polling.xread).toBeGreaterThan(0);
        expect(polling.eval).toBeUndefined();
      } finally {
        await opened.close();
      }
    });

    const reads = flavour === "rest" ? "the READ script (Upstash runs it on the primary)" : "plain GETs";
    it.each([
      [`by default, ${reads}`, undefined],
      ["with primaryReads: true, the READ script by EVALSHA", true],
      ["with primaryReads: false, a plain GET", false],
    ])("reads %s", async (_, primaryReads) => {
      const options = primaryReads === undefined ? {} : { primaryReads };
      const opened = await openStores(flavour, backends.direct(), {
        keyPrefix: `reads-${flavour}:`,
        ...options,
      });
      try {
        const key = { kind: "k" };
        await opened.stores.sessions.create(key, 1, 60_000);
        await opened.stores.sessions.get(key); // caches READ if it is used
        const scripted = primaryReads ?? flavour === "rest";
        expect(await executed(() => opened.stores.sessions.get(key))).toStrictEqual(
          scripted ? { evalsha: 1, get: 1 } : { get: 1 },
        );
      } finally {
        await opened.close();
      }
    });

    it("serves a legacy tools/call with one read of the stores: one GET (one READ script over REST)", async () => {
      const opened = await openStores(flavour, backends.direct(), { keyPrefix: `handler-${flavour}:` });
      try {
        const handler = createHandler(createQuickstartServer(), { stores: opened.stores });
        const init = await handler.fetch(legacyPost("http://127.0.0.1/mcp", initializeBody(1)));
        const sessionId = init.headers.get("mcp-session-id") as string;
        await init.arrayBuffer();
        const done = await handler.fetch(
          legacyPost("http://127.0.0.1/mcp", initializedBody(), { sessionId }),
        );
        await done.arrayBuffer();
        const params = { name: "add", arguments: { a: 2, b: 3 } };
        const call = { jsonrpc: "2.0", id: 2, method: "tools/call", params };
        const calls = await executed(async () => {
          for (let i = 0; i < 3; i++) {
            const response = await handler.fetch(legacyPost("http://127.0.0.1/mcp", call, { sessionId }));
            expect(response.headers.get("content-type")).toMatch(/application\/json/);
            expect(await response.json()).toMatchObject({ result: { structuredContent: { sum: 5 } } });
          }
        });
        expect(calls).toStrictEqual(flavour === "rest" ? { evalsha: 3, get: 3 } : { get: 3 });
      } finally {
        await opened.close();
      }
    });
  });
}

describe("EVALSHA, fallback, retries and deadlines (scripted connection)", () => {
  it("sends the script's SHA-1, and on NOSCRIPT the same call by EVAL at once, not as a retry (even a publish)", async () => {
    const connection = scripted([noScript]);
    const { bus } = redisStores({ client: connection, retries: 0, bus: "poll" });
    await bus.publish({ kind: "t" }, "m");
    const [first, second] = connection.calls as [string[], string[]];
    expect([first[0], first[1], second[0], second[1]]).toStrictEqual([
      "EVALSHA",
      sha1(PUBLISH),
      "EVAL",
      PUBLISH,
    ]);
    expect(first.slice(2)).toStrictEqual(second.slice(2));
  });

  it("retries an EVALSHA whose answer was lost, like any idempotent script call", async () => {
    const connection = scripted([() => Promise.reject(new Error("Connection is closed."))]);
    const { sessions } = redisStores({ client: connection });
    expect(await sessions.create({ kind: "k" }, 1, 1_000)).toBe(true);
    expect(connection.calls.map((command) => command[0])).toStrictEqual(["EVALSHA", "EVALSHA"]);
  });

  it("keeps the error vocabulary and the deadline across the fallback", async () => {
    const wrongType = () => Promise.reject(new RedisError("WRONGTYPE Operation against a key", "WRONGTYPE"));
    const refused = redisStores({ client: scripted([noScript, wrongType]) });
    await expect(refused.sessions.create({ kind: "k" }, 1, 1_000)).rejects.toMatchObject({
      reply: "WRONGTYPE",
    });
    const silent: RedisConnection = {
      send: (command) => (command[0] === "EVALSHA" ? noScript() : new Promise(() => {})),
    };
    const started = Date.now();
    const sessions = new RedisSessionStore(silent, { timeoutMs: 100, retries: 0 });
    await expect(sessions.create({ kind: "k" }, 1, 1_000)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("names scripts by SHA-1 without Web Crypto (plain JavaScript: no crypto module on a cold start)", async () => {
    const original = globalThis.crypto;
    vi.resetModules();
    vi.stubGlobal("crypto", { getRandomValues: original.getRandomValues.bind(original) });
    try {
      const fresh = await import("../src/index.ts");
      const connection = scripted([]);
      await fresh.redisStores({ client: connection }).sessions.create({ kind: "k" }, 1, 1_000);
      expect(connection.calls.map((command) => command[0])).toStrictEqual(["EVALSHA"]);
      const sha = connection.calls[0]?.[1];
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("reply shapes", () => {
  it("reads XREAD's streams alike from RESP2 arrays, flat RESP3 maps, objects and Maps", () => {
    const entries = [["1-0", ["m", "a"]]];
    const expected = [
      ["k1", entries],
      ["k2", entries],
    ];
    const shapes = [
      expected,
      ["k1", entries, "k2", entries],
      { k1: entries, k2: entries },
      new Map(expected as []),
    ];
    for (const shape of shapes) expect(streamsOf(normaliseReply(shape))).toStrictEqual(expected);
    expect(streamsOf(normaliseReply(null))).toStrictEqual([]);
    expect(normaliseReply([new TextEncoder().encode("é"), 2n])).toStrictEqual(["é", 2]);
  });
});
