/**
 * A bus topic key holding something other than a stream (written by something else sharing the
 * database). The polling bus reads all its topics in one request, which Redis refuses as a whole
 * with WRONGTYPE: one bad key used to stop delivery on every topic of the instance. Now only that
 * topic fails, reported to `onError` under its own name.
 */
import type { JsonValue } from "@portico/core";
import { describe, expect, it } from "vitest";
import { RedisError, RedisPollingBus } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { openClient } from "./_clients.ts";
import { useRawConnection } from "./_raw.ts";

const backends = useBackends();
const raw = useRawConnection(backends);

describe("polling bus with a foreign key at a topic", () => {
  it.each([true, false])(
    "primaryReads=%s: the other topics are still delivered; the bad one is reported alone",
    async (primaryReads) => {
      const opened = await openClient("node-redis", backends.direct());
      const prefix = `wrongtype-${primaryReads}:`;
      const errors: { error: unknown; topic: string }[] = [];
      const bus = new RedisPollingBus(opened.client, {
        primaryReads,
        pollMs: 10,
        keyPrefix: prefix,
        onError: (error, topic) => errors.push({ error, topic }),
      });
      try {
        const got: JsonValue[] = [];
        const good = await bus.subscribe({ kind: "good" }, (message) => void got.push(message));
        const others = await Promise.all(
          ["a", "b", "c"].map((id) => bus.subscribe({ kind: "other", id }, () => {})),
        );
        const bad = await bus.subscribe({ kind: "bad" }, () => {});
        await raw.send([["SET", `${prefix}b:portico:bad`, "not a stream"]]);
        await bus.publish({ kind: "good" }, "hello");
        const deadline = Date.now() + 5_000;
        while ((got.length === 0 || errors.length === 0) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 10));
        }
        expect(got).toStrictEqual(["hello"]);
        expect(errors.length).toBeGreaterThan(0);
        for (const { error, topic } of errors) {
          expect(topic).toBe("portico:bad");
          expect(error).toBeInstanceOf(RedisError);
          expect((error as RedisError).reply).toBe("WRONGTYPE");
        }
        for (const subscription of [good, bad, ...others]) await subscription.unsubscribe();
      } finally {
        await bus.close();
        await opened.close();
      }
    },
    10_000,
  );
});
