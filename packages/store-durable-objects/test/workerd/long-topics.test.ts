/**
 * Topics with a long part: a JSON-RPC request id is the client's choice and names the cancel topic
 * of its request. The object keeps each subscriber's topic in the socket's attachment, which
 * Cloudflare limits (2,048 bytes in production, 16 KiB in workerd), so a long topic must not make
 * the subscription fail: cancellation of that request would silently never arrive.
 */
import type { JsonValue, StoreKey } from "@portico/core";
import { describe, expect, it } from "vitest";
import { durableObjectStores } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

const ns = testEnv.MCP_SESSIONS;
/** The core's cancel topic of request `id` (`topics.cancel`). */
const cancelTopic = (session: string, id: string): StoreKey => ({
  kind: "cancel",
  session,
  id: JSON.stringify(id),
});

describe("DurableObjectBus with long topics", () => {
  it("delivers on a cancel topic whose request id is 20,000 characters, and keeps such topics apart", async () => {
    const errors: unknown[] = [];
    const { bus } = durableObjectStores(ns, { onError: (error) => void errors.push(error) });
    const sessionId = `s-${crypto.randomUUID()}`;
    const long = "é".repeat(20_000);
    const topic: StoreKey = cancelTopic(sessionId, `${long}1`);
    const other: StoreKey = cancelTopic(sessionId, `${long}2`);
    const got: JsonValue[] = [];
    const gotOther: JsonValue[] = [];
    const sub = await bus.subscribe(topic, (m) => void got.push(m));
    const subOther = await bus.subscribe(other, (m) => void gotOther.push(m));
    await bus.publish(topic, { type: "cancel" });
    await bus.publish(other, { type: "other" });
    await expect.poll(() => got).toEqual([{ type: "cancel" }]);
    await expect.poll(() => gotOther).toEqual([{ type: "other" }]);
    expect(got).toEqual([{ type: "cancel" }]);
    expect(errors).toEqual([]);
    await sub.unsubscribe();
    await subOther.unsubscribe();
  });
});
