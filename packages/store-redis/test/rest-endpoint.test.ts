/**
 * The local REST endpoint is test infrastructure; these tests check it against Upstash's own
 * client (@upstash/redis), so the REST variant of the stores is tested against the contract the
 * real service speaks, not only against itself.
 */
import { Redis } from "@upstash/redis";
import { beforeAll, describe, expect, it } from "vitest";
import { RedisRestClient } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import type { RestEndpoint } from "./_rest-endpoint.ts";

const backends = useBackends();
let rest: RestEndpoint;
let upstash: Redis;

beforeAll(() => {
  rest = backends.rest;
  upstash = new Redis({ url: rest.url, token: rest.token, enableTelemetry: false, retry: false });
});

describe("the local REST endpoint speaks Upstash's contract (checked with @upstash/redis)", () => {
  it("single commands, with base64 results (the client's default) and JSON values", async () => {
    expect(await upstash.set("rest:json", { a: [1, "é"] }, { ex: 60, nx: true })).toBe("OK");
    expect(await upstash.set("rest:json", { a: 2 }, { ex: 60, nx: true })).toBeNull();
    expect(await upstash.get("rest:json")).toStrictEqual({ a: [1, "é"] });
    expect(await upstash.ttl("rest:json")).toBeGreaterThan(50);
    expect(await upstash.get("rest:absent")).toBeNull();
    expect(await upstash.ping()).toBe("PONG");
  });

  it("pipeline and multi-exec", async () => {
    const pipeline = upstash.pipeline();
    pipeline.set("rest:n", 1);
    pipeline.incr("rest:n");
    pipeline.get("rest:n");
    expect(await pipeline.exec()).toStrictEqual(["OK", 2, 2]);
    const multi = upstash.multi();
    multi.incr("rest:n");
    multi.incrby("rest:n", 10);
    expect(await multi.exec()).toStrictEqual([3, 13]);
  });

  it("EVAL and streams", async () => {
    expect(await upstash.eval("return {KEYS[1], ARGV[1], 7}", ["k"], ["v"])).toStrictEqual(["k", "v", 7]);
    const id = await upstash.xadd("rest:stream", "*", { m: "hello" });
    expect(await upstash.xrange("rest:stream", "-", "+")).toStrictEqual({ [id]: { m: "hello" } });
  });

  it("error replies, a wrong token, and the read-your-writes sync token", async () => {
    await upstash.lpush("rest:list", "x");
    await expect(upstash.get("rest:list")).rejects.toThrow(/WRONGTYPE/);
    const stranger = new Redis({ url: rest.url, token: "wrong", enableTelemetry: false, retry: false });
    await expect(stranger.get("rest:json")).rejects.toThrow(/Unauthorized/);
    const before = rest.syncTokens.length;
    await upstash.get("rest:json");
    expect(rest.syncTokens.at(-1)).not.toBe("");
    expect(rest.syncTokens.length).toBe(before + 1);
  });

  it("answers RedisRestClient (no base64) with the same values", async () => {
    const client = new RedisRestClient({ url: rest.url, token: rest.token });
    await client.send(["SET", "rest:plain", "héllo 👋"]);
    expect(await client.send(["GET", "rest:plain"])).toBe("héllo 👋");
    expect(await upstash.get("rest:plain")).toBe("héllo 👋");
    expect(await client.send(["EVAL", "return {1, 'a', false}", "0"])).toStrictEqual([1, "a", null]);
    const tokens = rest.syncTokens.slice(-2);
    expect(tokens[1]).not.toBe("");
  });
});
