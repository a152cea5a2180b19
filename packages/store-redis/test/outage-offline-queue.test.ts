/**
 * node-redis keeps commands sent while it is disconnected in its offline queue and writes them
 * once the connection is back. The stores give up on a command after `timeoutMs` (the caller got
 * StoreUnavailableError) and abort its signal; the connection used to ignore that signal, so every
 * timed-out command stayed queued for the whole outage (memory growing with load) and then ran
 * late: a write reported as failed was applied afterwards. Now the aborted command leaves the queue.
 */
import { isStoreUnavailable } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackends } from "./_backends.ts";
import { type OpenedStores, openStores } from "./_clients.ts";
import { startTcpProxy, type TcpProxy } from "./_tcp-proxy.ts";

const backends = useBackends();

describe("node-redis offline queue while Redis is unreachable", () => {
  let proxy: TcpProxy;
  let opened: OpenedStores;

  beforeAll(async () => {
    proxy = await startTcpProxy(backends.redis.port);
    opened = await openStores("node-redis", { redisPort: proxy.port }, { timeoutMs: 200, retries: 0 });
  });

  afterAll(async () => {
    await opened?.close();
    await proxy?.close();
  });

  it("a command that timed out is not sent once Redis is back", async () => {
    const { stores } = opened;
    const key = (id: string) => ({ kind: "outage", id });
    // Warm: the scripts are cached, so the writes below go by EVALSHA.
    expect(await stores.sessions.create(key("warm"), 1, 60_000)).toBe(true);
    await stores.events.append("outage-warm", "s", 1);

    proxy.refuse();
    // Once node-redis noticed, new commands go to its offline queue (not to the old socket).
    const client = opened.client as unknown as { isReady: boolean };
    for (let i = 0; i < 200 && client.isReady; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(client.isReady).toBe(false);
    const writes = [
      ...Array.from({ length: 20 }, (_, i) => stores.sessions.create(key(`during-${i}`), i, 60_000)),
      ...Array.from({ length: 20 }, (_, i) => stores.events.append(`outage-${i}`, "s", i)),
    ];
    for (const outcome of await Promise.allSettled(writes)) {
      expect(outcome.status).toBe("rejected");
      expect(isStoreUnavailable((outcome as PromiseRejectedResult).reason)).toBe(true);
    }
    proxy.pass();

    // node-redis sends what is still queued, in order, before any later command: once a later
    // read is answered, every write left in the queue has run.
    const deadline = Date.now() + 5_000;
    for (;;) {
      const warm = await stores.sessions.get(key("warm")).catch(() => undefined);
      if (warm !== undefined) break;
      if (Date.now() > deadline) throw new Error("Redis did not come back");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const late = [];
    for (let i = 0; i < 20; i++) {
      if ((await stores.sessions.get(key(`during-${i}`))) !== undefined) late.push(`session ${i}`);
      // The session's first event is numbered 1 unless the failed append ran after all.
      const id = await stores.events.append(`outage-${i}`, "s", "after");
      if (!id.endsWith("-1")) late.push(`event ${i}: ${id}`);
    }
    expect(late).toStrictEqual([]);
  });
});
