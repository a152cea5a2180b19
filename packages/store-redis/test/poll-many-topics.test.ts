/**
 * A polling bus subscribed to thousands of topics. With `primaryReads` (the default for
 * `RedisRestClient`) the poll runs as a Lua script, and Lua's `unpack` refuses a few thousand
 * values: past about 4000 topics every poll failed and nothing was delivered any more. Polls now
 * go in chunks of at most 1000 topics per request.
 */
import type { JsonValue } from "@portico/core";
import { describe, expect, it } from "vitest";
import type { RedisConnection } from "../src/index.ts";
import { nodeRedisConnection, RedisPollingBus } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { openClient } from "./_clients.ts";

const backends = useBackends();

const TOPICS = 4100;

/** The number of topics in a poll request (the POLL script by EVALSHA/EVAL, or a plain XREAD). */
function polledTopics(command: string[]): number | undefined {
  if (command[0] === "XREAD") return (command.length - command.indexOf("STREAMS") - 1) / 2;
  if (command[0] === "EVALSHA" || command[0] === "EVAL") return Number(command[2]);
  return undefined;
}

describe("polling bus with many topics", () => {
  it.each([true, false])(
    "primaryReads=%s: delivers with 4100 subscribed topics, polling at most 1000 topics per request",
    async (primaryReads) => {
      const opened = await openClient("node-redis", backends.direct());
      const base = nodeRedisConnection(opened.client as never);
      let largest = 0;
      const connection: RedisConnection = {
        send(command, signal) {
          largest = Math.max(largest, polledTopics(command) ?? 0);
          return base.send(command, signal);
        },
      };
      const errors: unknown[] = [];
      const bus = new RedisPollingBus(connection, {
        primaryReads,
        pollMs: 10,
        keyPrefix: `many-${primaryReads}:`,
        onError: (error) => errors.push(error),
      });
      const got: JsonValue[] = [];
      try {
        const subscriptions = [];
        for (let i = 0; i < TOPICS; i += 500) {
          subscriptions.push(
            ...(await Promise.all(
              Array.from({ length: Math.min(500, TOPICS - i) }, (_, j) =>
                bus.subscribe({ kind: "many", id: String(i + j) }, (message) => void got.push(message)),
              ),
            )),
          );
        }
        await bus.publish({ kind: "many", id: "7" }, "first");
        await bus.publish({ kind: "many", id: String(TOPICS - 1) }, "last");
        const deadline = Date.now() + 5_000;
        while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        expect(got.sort()).toStrictEqual(["first", "last"]);
        expect(errors).toStrictEqual([]);
        expect(largest).toBeGreaterThan(0);
        expect(largest).toBeLessThanOrEqual(1000);
        for (const subscription of subscriptions) await subscription.unsubscribe();
      } finally {
        await bus.close();
        await opened.close();
      }
    },
    10_000,
  );
});
