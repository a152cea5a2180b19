/**
 * What an object keeps in storage when it holds no data. Cloudflare bills SQLite storage, empty
 * tables and their metadata included, until `deleteAll()`; so an object must not create its tables
 * for a read (a client can name any session id in `Mcp-Session-Id`, and each names an object). The
 * alarm that empties an object leaves its storage deleted: see session-object.test.ts, rate-limit.test.ts.
 */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { durableObjectStores } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

const ns = testEnv.MCP_SESSIONS;
const objectNamed = (name: string) => ns.get(ns.idFromName(name));

/** The tables and indexes in the object's SQLite database (besides the runtime's own). */
function schemaOf(name: string): Promise<string[]> {
  return runInDurableObject(objectNamed(name), (_instance, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE name LIKE 'portico%' ORDER BY name")
      .toArray()
      .map((row) => row.name),
  );
}

describe("storage of an object without data", () => {
  it("reads, replays, trims, deletes, failed updates and publishes on an unknown session store nothing", async () => {
    const { sessions, events, bus } = durableObjectStores(ns);
    const sessionId = `unknown-${crypto.randomUUID()}`;
    const key = { kind: "session", session: sessionId };
    expect(await sessions.get(key)).toBeUndefined();
    expect(await sessions.update(key, 1, "x", 60_000)).toBe(false);
    await sessions.delete(key);
    expect(await events.replay(sessionId, "stream/0123456789ab-1")).toBeUndefined();
    await events.trim(sessionId);
    await events.trim(sessionId, "stream");
    await bus.publish({ kind: "cancel", session: sessionId, id: "1" }, { type: "cancel" });
    expect(await schemaOf(`session:${sessionId}`)).toEqual([]);
    // The first write creates the tables.
    expect(await sessions.create(key, "x", 60_000)).toBe(true);
    expect(await schemaOf(`session:${sessionId}`)).toContain("portico_records");
    expect(await sessions.get(key)).toMatchObject({ value: "x", version: 1 });
  });
});
