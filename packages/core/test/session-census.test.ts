/**
 * `maxSessions`: the server-wide cap on open legacy sessions, shared by every instance on the same
 * stores, exact under concurrency, freed by DELETE, and not fooled by sessions the store expired
 * on its own (nor by sessions whose expiry slid while they were used).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHandler, McpServer, memoryStores, type Stores } from "../src/index.ts";
import { legacySession, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

const server = () => new McpServer({ name: "census", version: "1" });
const init = (handler: ReturnType<typeof createHandler>) =>
  handler.fetch(initializeRequest(URL_, "2025-11-25"));
const del = (handler: ReturnType<typeof createHandler>, id: string) =>
  handler.fetch(new Request(URL_, { method: "DELETE", headers: { "mcp-session-id": id } }));

/** The census records in `stores` (server-wide keys of kind "session-census"), by shard. */
async function census(stores: Stores): Promise<Record<string, number>> {
  const shards: Record<string, number> = {};
  for (let shard = 0; shard < 16; shard++) {
    const record = await stores.sessions.get({ kind: "session-census", id: String(shard) });
    const buckets = (record?.value as { b?: Record<string, number> } | undefined)?.b;
    if (buckets) shards[shard] = Object.values(buckets).reduce((a, b) => a + b, 0);
  }
  return shards;
}

/** A fake clock on a whole second, so census buckets (1 s wide here) end where the test says. */
function useAlignedClock(): void {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(1_800_000_000_000);
}

afterEach(() => void vi.useRealTimers());

describe("maxSessions", () => {
  it("admits exactly maxSessions sessions across instances, even all at once, answers 503 beyond, and DELETE frees a place", async () => {
    const stores = memoryStores();
    // Two instances on the same stores (each its own Stores object, as in two processes).
    const view = (): Stores => ({ ...stores });
    const a = createHandler(server(), { stores: view(), maxSessions: 5 });
    const b = createHandler(server(), { stores: view(), maxSessions: 5 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => init(i % 2 ? a : b)));
    const admitted = answers.filter((r) => r.status === 200);
    expect(admitted.length).toBeLessThanOrEqual(5);
    for (const refused of answers.filter((r) => r.status !== 200)) {
      expect(refused.status).toBe(503);
      expect(["1", "30"]).toContain(refused.headers.get("retry-after"));
      const body = await refused.json();
      expect(body.error.code).toBe(-32603);
    }
    // Those turned away only because others were writing at the same moment get in on a retry.
    while (admitted.length < 5) {
      const again = await init(a);
      if (again.status !== 200) break;
      admitted.push(again);
    }
    expect(admitted.length).toBe(5);
    const full = await init(b);
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("30");
    expect((await full.json()).error.message).toBe(
      "Service Unavailable: the server holds its most open sessions (5, maxSessions); try again later",
    );
    expect(Object.values(await census(stores)).reduce((x, y) => x + y, 0)).toBe(5);
    const id = admitted[0]?.headers.get("mcp-session-id") as string;
    expect((await del(a, id)).status).toBe(200);
    expect((await init(a)).status).toBe(200);
    expect((await init(a)).status).toBe(503);
  });

  it("stops counting sessions the store expired by itself, with nothing written", async () => {
    useAlignedClock();
    vi.advanceTimersByTime(500); // mid-bucket: the sessions expire half a second before their bucket ends
    const stores = memoryStores();
    const handler = createHandler(server(), { stores, maxSessions: 2, sessionTtlMs: 4000 });
    expect((await init(handler)).status).toBe(200);
    expect((await init(handler)).status).toBe(200);
    expect((await init(handler)).status).toBe(503);
    vi.advanceTimersByTime(4000); // expired: the store forgets them, nobody tells the census
    expect((await init(handler)).status).toBe(503); // still counted until their bucket ends (≤ 1 s)
    vi.advanceTimersByTime(1001); // the bucket has ended, and so has the instance's "full" memo (1 s)
    expect((await init(handler)).status).toBe(200);
  });

  it("keeps counting a session while it is used (its expiry slides) and lets it go once idle", async () => {
    useAlignedClock();
    const stores = memoryStores();
    const handler = createHandler(server(), { stores, maxSessions: 1, sessionTtlMs: 4000 });
    const session = await legacySession(handler);
    vi.advanceTimersByTime(2500);
    // Used past half its idle lifetime: it slides to now + 4 s, and its count moves along.
    expect((await session.call("tools/list")).status).toBe(200);
    vi.advanceTimersByTime(3000); // past its first expiry, inside its slid one
    expect((await init(handler)).status).toBe(503);
    expect((await session.call("tools/list")).status).toBe(200);
    vi.advanceTimersByTime(5001); // idle for longer than its lifetime and one bucket
    expect((await init(handler)).status).toBe(200);
  });

  it("moves a session's count along when a session change (logging/setLevel) slides its expiry", async () => {
    useAlignedClock();
    const handler = createHandler(server(), { stores: memoryStores(), maxSessions: 1, sessionTtlMs: 4000 });
    const session = await legacySession(handler);
    vi.advanceTimersByTime(1000); // not yet a slide on use: the level change itself rewrites the session
    expect((await session.call("logging/setLevel", { level: "info" })).status).toBe(200);
    vi.advanceTimersByTime(3500); // past its first expiry (and that bucket), inside the new one
    expect((await init(handler)).status).toBe(503);
    vi.advanceTimersByTime(1600);
    expect((await init(handler)).status).toBe(200);
  });

  it("writes nothing when turned off, and refuses a nonsensical value", async () => {
    const stores = memoryStores();
    const handler = createHandler(server(), { stores, maxSessions: Infinity });
    for (let i = 0; i < 3; i++) expect((await init(handler)).status).toBe(200);
    expect(await census(stores)).toStrictEqual({});
    expect(() => createHandler(server(), { maxSessions: 0 })).toThrow(
      "maxSessions must be a number ≥ 1, got 0",
    );
    // On by default.
    const counted = memoryStores();
    expect((await init(createHandler(server(), { stores: counted }))).status).toBe(200);
    expect(Object.values(await census(counted))).toStrictEqual([1]);
  });
});
