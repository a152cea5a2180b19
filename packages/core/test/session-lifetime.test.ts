/**
 * `sessionTtlMs` is an idle lifetime: a legacy session lives while it is used, and dies once idle
 * that long. The expiry slides with at most one store write per half lifetime (counted here), and
 * `sessionMaxLifetimeMs` caps a busy session's life.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer, memoryStores, type Stores } from "../src/index.ts";
import { legacySession } from "./_client.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Memory stores counting writes to session records, and to the `maxSessions` census apart. */
function countingStores(): { stores: Stores; updates: () => number; censusUpdates: () => number } {
  const inner = memoryStores();
  let updates = 0;
  let censusUpdates = 0;
  return {
    updates: () => updates,
    censusUpdates: () => censusUpdates,
    stores: {
      bus: inner.bus,
      events: inner.events,
      sessions: {
        get: (key) => inner.sessions.get(key),
        create: (key, value, ttl) => inner.sessions.create(key, value, ttl),
        update: (key, version, value, ttl) => {
          if (key.kind === "session") updates++;
          if (key.kind === "session-census") censusUpdates++;
          return inner.sessions.update(key, version, value, ttl);
        },
        delete: (key) => inner.sessions.delete(key),
      },
    },
  };
}

function server() {
  const s = new McpServer({ name: "ttl", version: "1" });
  addTool(s, "t", {}, () => "x");
  return s;
}

describe("legacy session lifetime", () => {
  it("slides while the session is used, with one write per half lifetime at most", async () => {
    const { stores, updates, censusUpdates } = countingStores();
    const handler = createHandler(server(), { stores, sessionTtlMs: 1000 });
    const session = await legacySession(handler);
    // 20 requests in the first fifth of the lifetime: no write-back at all.
    for (let i = 0; i < 20; i++) expect((await session.call("tools/list")).status).toBe(200);
    expect(updates()).toBe(0);
    // Used every 250 ms for 2.5 s (well past the 1 s lifetime): still alive, few writes.
    for (let i = 0; i < 10; i++) {
      await sleep(250);
      expect((await session.call("tools/list")).status, `request ${i}`).toBe(200);
    }
    expect(updates()).toBeGreaterThanOrEqual(2);
    expect(updates()).toBeLessThanOrEqual(6);
    // The session's place in the maxSessions count moves along with each slide, no more often.
    expect(censusUpdates()).toBeLessThanOrEqual(updates());
    // Idle for longer than the lifetime: gone.
    await sleep(1200);
    expect((await session.call("tools/list")).status).toBe(404);
  });

  it("ends a busy session at sessionMaxLifetimeMs", async () => {
    const handler = createHandler(server(), { sessionTtlMs: 10_000, sessionMaxLifetimeMs: 1000 });
    const session = await legacySession(handler);
    expect((await session.call("tools/list")).status).toBe(200);
    await sleep(200);
    expect((await session.call("tools/list")).status).toBe(200);
    await sleep(1000);
    expect((await session.call("tools/list")).status).toBe(404);
  });

  it("keeps a caller's maxSessionsPerCaller count while its sessions slide (its record slides with them)", async () => {
    const handler = createHandler(server(), {
      authenticate: () => ({ token: "t", subject: "alice", scopes: [] }),
      maxSessionsPerCaller: 2,
      sessionTtlMs: 600,
    });
    const sessions = [await legacySession(handler), await legacySession(handler)];
    await expect(legacySession(handler)).rejects.toThrow(/initialize failed: 429/);
    // Both sessions in use for twice their idle lifetime: they live on, and so must their count.
    for (let t = 0; t < 8; t++) {
      await sleep(150);
      for (const session of sessions) expect((await session.call("tools/list")).status).toBe(200);
    }
    await expect(legacySession(handler)).rejects.toThrow(/initialize failed: 429/);
    // Once they are idle past their lifetime, their places are free again.
    await sleep(700);
    expect((await legacySession(handler)).sessionId).toBeTruthy();
  });
});
