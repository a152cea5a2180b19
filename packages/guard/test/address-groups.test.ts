/**
 * The guards tell anonymous callers apart by their address's group (`addressGroup` of the core): an
 * IPv6 address by its /64, which one host usually holds whole, an IPv4-mapped one as its IPv4.
 */
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_META, idempotent, RATE_LIMIT_META, rateLimit } from "../src/index.ts";
import { callTool, testServer } from "./_server.ts";

describe("callers by address group", () => {
  it("rateLimit: 600 calls from 600 addresses of one /64 share one bucket; another /64 has its own", async () => {
    const { handler, runs } = testServer({
      use: [rateLimit({ limit: 100, window: "hour", tools: ["pay"] })],
    });
    let limited = 0;
    for (let i = 0; i < 600; i++) {
      const answer = await callTool(handler, "pay", {}, { address: `2001:db8:1:2::${i.toString(16)}` });
      if (answer.result.isError === true) {
        expect(answer.result._meta[RATE_LIMIT_META]).toMatchObject({ limit: 100, remaining: 0 });
        limited += 1;
      }
    }
    expect(limited).toBe(500);
    expect(runs.pay).toHaveLength(100);
    expect(
      (await callTool(handler, "pay", {}, { address: "2001:db8:1:3::1" })).result.isError,
    ).toBeUndefined();
    expect(
      (await callTool(handler, "pay", {}, { address: "2001:DB8:1:2:0:0:0:ffff%eth0" })).result.isError,
    ).toBe(true);
  });

  it("rateLimit: an IPv4-mapped IPv6 address counts with its IPv4 address", async () => {
    const { handler } = testServer({ use: [rateLimit({ limit: 1, window: "hour" })] });
    expect((await callTool(handler, "pay", {}, { address: "198.51.100.7" })).result.isError).toBeUndefined();
    expect((await callTool(handler, "pay", {}, { address: "::ffff:198.51.100.7" })).result.isError).toBe(
      true,
    );
    expect(
      (await callTool(handler, "pay", {}, { address: "::ffff:c633:6408" })).result.isError,
    ).toBeUndefined();
  });

  it("idempotent: the allowance of new keys is the /64's, and keys of one /64 are one caller's", async () => {
    const { handler, runs } = testServer({
      payUse: [idempotent({ keysPerCaller: { limit: 2, window: "hour" } })],
    });
    const key = (k: string) => ({ _meta: { [IDEMPOTENCY_KEY_META]: k } });
    await callTool(handler, "pay", {}, { address: "2001:db8:1:2::1" }, key("a"));
    // The same key from another address of the /64 is the same caller's: replayed.
    await callTool(handler, "pay", {}, { address: "2001:db8:1:2::2" }, key("a"));
    await callTool(handler, "pay", {}, { address: "2001:db8:1:2::3" }, key("b"));
    const refused = await callTool(handler, "pay", {}, { address: "2001:db8:1:2::4" }, key("c"));
    expect(refused.result._meta[RATE_LIMIT_META]).toMatchObject({ limit: 2, remaining: 0 });
    expect(
      (await callTool(handler, "pay", {}, { address: "2001:db8:1:3::4" }, key("c"))).result.isError,
    ).toBeUndefined();
    expect(runs.pay).toHaveLength(3);
  });
});
