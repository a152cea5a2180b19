/**
 * ioredis with `enableOfflineQueue: false` (as the README recommends). The pub/sub bus opens its
 * connection (the client's `duplicate()`) at the first subscribe; it used to SUBSCRIBE at once,
 * before that connection was ready, which ioredis refuses without an offline queue: the first
 * subscribes of every fresh bus failed (503 "message bus is unreachable" for a GET stream).
 */
import { createHandler } from "@portico/core";
import { createQuickstartServer } from "@portico/example-quickstart/tools";
import { initializeBody, legacyGet, legacyPost } from "@portico/test-kit";
import Redis from "ioredis";
import { describe, expect, it } from "vitest";
import { redisStores } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { useRawConnection } from "./_raw.ts";

const backends = useBackends();
const raw = useRawConnection(backends);

async function openIoRedis(): Promise<Redis> {
  const client = new Redis({ host: "127.0.0.1", port: backends.redis.port, enableOfflineQueue: false });
  client.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    client.once("ready", resolve);
    client.once("error", reject);
  });
  return client;
}

async function subscribers(channel: string): Promise<number> {
  const [reply] = await raw.send([["PUBSUB", "NUMSUB", channel]]);
  const count = reply?.kind === "array" ? reply.value[1] : undefined;
  return count?.kind === "integer" ? count.value : Number.NaN;
}

describe("ioredis without an offline queue", () => {
  it("the first subscribes of a fresh bus succeed and deliver", async () => {
    const client = await openIoRedis();
    const stores = redisStores({ client, keyPrefix: "no-offline:" });
    try {
      const got: unknown[] = [];
      const subscriptions = await Promise.all(
        ["a", "b", "c"].map((id) => stores.bus.subscribe({ kind: "fresh", id }, (m) => void got.push(m))),
      );
      expect(await subscribers("no-offline:b:portico:fresh:%:a")).toBe(1);
      await stores.bus.publish({ kind: "fresh", id: "b" }, "hello");
      const deadline = Date.now() + 5_000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(got).toStrictEqual(["hello"]);
      for (const subscription of subscriptions) await subscription.unsubscribe();
      expect(await subscribers("no-offline:b:portico:fresh:%:a")).toBe(0);
    } finally {
      await stores.close();
      client.disconnect();
    }
  });

  it("the handler's first GET stream is served (200), not 503", async () => {
    const client = await openIoRedis();
    const stores = redisStores({ client, keyPrefix: "no-offline-handler:" });
    const errors: unknown[] = [];
    try {
      const handler = createHandler(createQuickstartServer(), {
        stores,
        secret: "no-offline-queue-secret-0123456789abcdef",
        onError: (error) => void errors.push(error),
      });
      const url = "http://127.0.0.1/mcp";
      const legacy = { protocolVersion: "2025-06-18" };
      const init = await handler.fetch(legacyPost(url, initializeBody(1, legacy)));
      expect(init.status).toBe(200);
      await init.arrayBuffer();
      const sessionId = init.headers.get("mcp-session-id") as string;
      const controller = new AbortController();
      const stream = await handler.fetch(
        new Request(legacyGet(url, { sessionId, ...legacy }), { signal: controller.signal }),
      );
      expect(stream.status).toBe(200);
      controller.abort();
      await stream.body?.cancel().catch(() => {});
      expect(errors).toStrictEqual([]);
    } finally {
      await stores.close();
      client.disconnect();
    }
  });
});
