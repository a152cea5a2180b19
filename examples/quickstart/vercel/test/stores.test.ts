import { RedisPollingBus, RedisSessionStore } from "@portico/store-redis";
import { describe, expect, it } from "vitest";
import { storesFrom } from "../src/stores.ts";

describe("storesFrom", () => {
  it("uses Upstash Redis over REST when its variables are set, under either name", () => {
    for (const env of [
      { UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" },
      { KV_REST_API_URL: "https://eu1-x.upstash.io", KV_REST_API_TOKEN: "t" },
    ]) {
      const stores = storesFrom(env);
      expect(stores?.sessions).toBeInstanceOf(RedisSessionStore);
      expect(stores?.bus).toBeInstanceOf(RedisPollingBus);
    }
  });

  it("falls back to the in-memory default without them (a URL without a token is not enough)", () => {
    expect(storesFrom({})).toBeUndefined();
    expect(storesFrom({ UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io" })).toBeUndefined();
  });
});
