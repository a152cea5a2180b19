/**
 * Connection loss, for each client kind, with a TCP proxy between the client and Redis (or the
 * REST endpoint): while Redis is unreachable or stalled, every operation fails with
 * StoreUnavailableError (never hangs), the handler answers 503 with Retry-After, and once Redis is
 * back the same stores work again and every acknowledged write is still there.
 */

import type { JsonValue, StoreKey, Stores } from "@portico/core";
import { createHandler, isStoreUnavailable } from "@portico/core";
import { createQuickstartServer } from "@portico/example-quickstart/tools";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, type OpenedStores, openStores } from "./_clients.ts";
import { startTcpProxy, type TcpProxy } from "./_tcp-proxy.ts";

const backends = useBackends();

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Every kind of store operation, each expected to fail with StoreUnavailableError. They touch
 * only keys of their own: a write that timed out is not acknowledged, but a TCP client may still
 * deliver it once the connection is back (see the README), so it must not disturb the checks.
 */
function everyOperation(stores: Stores, tag: string): Promise<unknown>[] {
  return [
    stores.sessions.get(key(tag, "k")),
    stores.sessions.create(key(tag, "during"), 1, 60_000),
    stores.sessions.update(key(tag, "during"), 1, "x", 60_000),
    stores.sessions.delete(key(tag, "during-2")),
    stores.events.append(`${tag}:session-during`, "s", "x"),
    stores.events.replay(`${tag}:session`, "s/0123456789-1"),
    stores.events.trim(`${tag}:session-during`),
    stores.bus.publish(key(tag, "topic-during"), "x"),
    stores.bus.subscribe(key(tag, "topic-during"), () => {}),
  ];
}

/** The key or topic `id` of the test tagged `tag`. */
function key(tag: string, id: string): StoreKey {
  return { kind: "faults", session: tag, id };
}

async function expectAllUnavailable(operations: Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(operations);
  for (const [i, outcome] of outcomes.entries()) {
    expect(outcome.status, `operation ${i}`).toBe("rejected");
    const reason = (outcome as PromiseRejectedResult).reason;
    expect(isStoreUnavailable(reason), `operation ${i}: ${String(reason)}`).toBe(true);
    expect(reason.retryAfterSeconds).toBeGreaterThan(0);
  }
}

for (const flavour of FLAVOURS) {
  describe(`connection loss via ${flavour}`, () => {
    let proxy: TcpProxy;
    let opened: OpenedStores;

    beforeAll(async () => {
      const { redis, rest } = backends;
      proxy = await startTcpProxy(flavour === "rest" ? Number(new URL(rest.url).port) : redis.port);
      opened = await openStores(
        flavour,
        { redisPort: proxy.port, restUrl: `http://127.0.0.1:${proxy.port}`, restToken: rest.token },
        { timeoutMs: 500, keyPrefix: `faults-${flavour}:` },
      );
    });

    afterAll(async () => {
      await opened?.close();
      await proxy?.close();
    });

    for (const fault of ["refuse", "stall"] as const) {
      it(`${fault}: operations fail with StoreUnavailableError; afterwards everything acknowledged is there`, async () => {
        const { stores } = opened;
        const tag = `${fault}`;
        // Acknowledged before the outage.
        expect(await stores.sessions.create(key(tag, "k"), { n: 1 }, 60_000)).toBe(true);
        expect(await stores.sessions.update(key(tag, "k"), 1, { n: 2 }, 60_000)).toBe(true);
        const ids = [
          await stores.events.append(`${tag}:session`, "s", 1),
          await stores.events.append(`${tag}:session`, "s", 2),
          await stores.events.append(`${tag}:session`, "s", 3),
        ];
        const got: JsonValue[] = [];
        const subscription = await stores.bus.subscribe(
          key(tag, "topic"),
          (message) => void got.push(message),
        );

        if (fault === "refuse") proxy.refuse();
        else proxy.stall();
        await expectAllUnavailable(everyOperation(stores, tag));
        proxy.pass();

        // The same stores recover on their own: the clients reconnect (and resubscribe).
        await waitUntil(async () => (await stores.sessions.get(key(tag, "k"))) !== undefined, "Redis back");
        expect(await stores.sessions.get(key(tag, "k"))).toMatchObject({ value: { n: 2 }, version: 2 });
        expect(await stores.events.replay(`${tag}:session`, ids[0] as string)).toStrictEqual({
          streamId: "s",
          events: [
            { id: ids[1], message: 2 },
            { id: ids[2], message: 3 },
          ],
        });
        const next = await stores.events.append(`${tag}:session`, "s", 4);
        expect((await stores.events.replay(`${tag}:session`, ids[2] as string))?.events).toStrictEqual([
          { id: next, message: 4 },
        ]);
        expect(await stores.sessions.update(key(tag, "k"), 2, { n: 3 }, 60_000)).toBe(true);
        // The subscription made before the outage hears publishes again (pub/sub: once resubscribed).
        await waitUntil(async () => {
          await stores.bus.publish(key(tag, "topic"), "after");
          await new Promise((resolve) => setTimeout(resolve, 50));
          return got.includes("after");
        }, "bus delivery after the outage");
        await subscription.unsubscribe();
      });
    }

    it("the handler answers 503 with Retry-After while Redis is unreachable, and serves the session after", async () => {
      const handler = createHandler(createQuickstartServer(), { stores: opened.stores, onError: () => {} });
      const init = await handler.fetch(legacyPost("http://127.0.0.1/mcp", initializeBody(1)));
      expect(init.status).toBe(200);
      const sessionId = init.headers.get("mcp-session-id") as string;
      await init.arrayBuffer();
      const list = () =>
        handler.fetch(
          legacyPost("http://127.0.0.1/mcp", { jsonrpc: "2.0", id: 2, method: "tools/list" }, { sessionId }),
        );
      proxy.refuse();
      const during = await list();
      expect(during.status).toBe(503);
      expect(Number(during.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      await during.arrayBuffer();
      proxy.pass();
      await waitUntil(async () => {
        const response = await list();
        await response.arrayBuffer();
        return response.status === 200;
      }, "the session to be served again");
    });
  });
}
