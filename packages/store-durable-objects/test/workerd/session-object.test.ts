/**
 * The session object itself: subscribers survive hibernation, a subscription the object drops is
 * renewed, expiry runs from an alarm and an emptied object deletes its storage, transient
 * Durable Object errors become StoreUnavailableError.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { isStoreUnavailable, type JsonValue, type StoreKey, storeKeyText } from "@portico/core";
import { describe, expect, it } from "vitest";
import { durableObjectStores, type PorticoSessionObject } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

const ns = testEnv.MCP_SESSIONS;
const objectNamed = (name: string) => ns.get(ns.idFromName(name));
let counter = 0;
const unique = (label: string) => `${label}-${crypto.randomUUID()}-${++counter}`;

describe("PorticoSessionObject", () => {
  it("keeps its subscribers across hibernation: a new instance delivers to them", async () => {
    const { bus } = durableObjectStores(ns);
    const sessionId = unique("s");
    const topic: StoreKey = { kind: "reply", session: sessionId, id: '"x"' };
    const got: JsonValue[] = [];
    const sub = await bus.subscribe(topic, (m) => void got.push(m));
    const object = objectNamed(`session:${sessionId}`);
    const before = await runInDurableObject(object, (instance: PorticoSessionObject) => instance);
    await evictDurableObject(object, { webSockets: "hibernate" });
    const after = await runInDurableObject(object, (instance: PorticoSessionObject, state) => {
      expect(state.getWebSockets()).toHaveLength(1);
      return instance;
    });
    expect(after).not.toBe(before);
    await bus.publish(topic, { type: "reply" });
    await expect.poll(() => got).toEqual([{ type: "reply" }]);
    await sub.unsubscribe();
  });

  it("renews a subscription whose socket the object closed (a deploy, a reset)", async () => {
    const { bus } = durableObjectStores(ns, { reconnectMs: 10 });
    const topic: StoreKey = { kind: unique("topic") };
    const got: JsonValue[] = [];
    const sub = await bus.subscribe(topic, (m) => void got.push(m));
    const object = objectNamed(`topic:${storeKeyText(topic)}`);
    await evictDurableObject(object, { webSockets: "close" });
    // Messages published while the subscriber is away are lost (at most once); later ones arrive.
    await expect
      .poll(async () => {
        await bus.publish(topic, "after");
        return got.includes("after");
      })
      .toBe(true);
    await sub.unsubscribe();
  });

  it("expires records and events from an alarm; an emptied object deletes its storage", async () => {
    // A second of life, so the alarm cannot fire before it is looked at, even on a loaded machine.
    const { sessions, events } = durableObjectStores(ns, { eventTtlMs: 1_000 });
    const sessionId = unique("s");
    const key: StoreKey = { kind: "session", session: sessionId };
    expect(await sessions.create(key, { state: 1 }, 1_000)).toBe(true);
    const first = await events.append(sessionId, "stream", "one");
    const object = objectNamed(`session:${sessionId}`);
    expect(await runInDurableObject(object, (_i, state) => state.storage.getAlarm())).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    // The alarm may have fired on its own already; run it now if not.
    await runDurableObjectAlarm(object);
    const left = await runInDurableObject(object, (_i, state) => ({
      // Deleted storage, not empty tables: those are billed until `deleteAll()`.
      tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name LIKE 'portico%'").toArray(),
      alarm: state.storage.getAlarm(),
    }));
    expect(left.tables).toEqual([]);
    expect(await left.alarm).toBeNull();
    // A fresh database: ids carry a new tag, so an id from before the reset never matches.
    const second = await events.append(sessionId, "stream", "two");
    expect(second).not.toBe(first);
    expect(await events.replay(sessionId, first)).toBeUndefined();
  });

  it("keeps a live record when the alarm fires for an earlier expiry", async () => {
    const { sessions } = durableObjectStores(ns);
    const sessionId = unique("s");
    const short: StoreKey = { kind: "reply", session: sessionId, id: "1" };
    const long: StoreKey = { kind: "session", session: sessionId };
    await sessions.create(short, "short", 30);
    await sessions.create(long, "long", 60_000);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const object = objectNamed(`session:${sessionId}`);
    await runDurableObjectAlarm(object);
    expect(await sessions.get(short)).toBeUndefined();
    expect(await sessions.get(long)).toMatchObject({ value: "long", version: 1 });
    const alarm = await runInDurableObject(object, (_i, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + 50_000);
  });

  it("places everything with a session in that session's object, whatever its kind; the rest by its text", async () => {
    const { sessions, bus } = durableObjectStores(ns);
    const sessionId = unique("s");
    const keys: StoreKey[] = [
      { kind: "session", session: sessionId },
      { kind: "reply", session: sessionId, id: "7" },
      { kind: "someone-elses-kind", session: sessionId, id: "a:b" },
    ];
    for (const key of keys) expect(await sessions.create(key, storeKeyText(key), 60_000)).toBe(true);
    const rows = await runInDurableObject(objectNamed(`session:${sessionId}`), (_i, state) =>
      state.storage.sql
        .exec<{ key: string }>("SELECT key FROM portico_records ORDER BY key")
        .toArray()
        .map((row) => row.key),
    );
    // Stored under their canonical texts, all in the one object of the session.
    expect(rows).toEqual(keys.map(storeKeyText).sort());

    const global: StoreKey = { kind: unique("server-wide"), id: "1" };
    await sessions.create(global, "alone", 60_000);
    const own = await runInDurableObject(objectNamed(`key:${storeKeyText(global)}`), (_i, state) =>
      state.storage.sql.exec<{ key: string }>("SELECT key FROM portico_records").toArray(),
    );
    expect(own).toEqual([{ key: storeKeyText(global) }]);

    // A topic of the session, of a kind the core does not use, is the session object's too.
    const topic: StoreKey = { kind: "someone-elses-topic", session: sessionId };
    const sub = await bus.subscribe(topic, () => {});
    const sockets = await runInDurableObject(objectNamed(`session:${sessionId}`), (_i, state) =>
      state.getWebSockets().map((socket) => (socket.deserializeAttachment() as { topic: string }).topic),
    );
    expect(sockets).toEqual([storeKeyText(topic)]);
    await sub.unsubscribe();
  });

  it("turns transient Durable Object failures into StoreUnavailableError (503); reads retry once", async () => {
    let calls = 0;
    const failing = {
      idFromName: (name: string) => ns.idFromName(name),
      get: () => ({
        getRecord: async () => {
          calls += 1;
          throw Object.assign(new Error("Durable Object reset because its code was updated."), {
            retryable: true,
          });
        },
        createRecord: async () => {
          calls += 1;
          throw Object.assign(new Error("Durable Object is overloaded."), { overloaded: true });
        },
      }),
    } as unknown as typeof ns;
    const { sessions } = durableObjectStores(failing);
    const read = await sessions.get({ kind: "k" }).catch((error: unknown) => error);
    expect(isStoreUnavailable(read)).toBe(true);
    expect(calls).toBe(2);
    const write = await sessions.create({ kind: "k" }, 1, 1000).catch((error: unknown) => error);
    expect(isStoreUnavailable(write)).toBe(true);
    expect(calls).toBe(3);
  });
});
