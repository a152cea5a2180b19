/**
 * Per-caller limits group anonymous callers by address: an IPv4 address as it is, an IPv6 one by its
 * /64 (what one host usually holds), an IPv4-mapped IPv6 address as its IPv4 address.
 */
import { describe, expect, it } from "vitest";
import { addressGroup, createHandler, McpServer, memoryStores } from "../src/index.ts";
import { URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

describe("addressGroup", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(addressGroup("198.51.100.7")).toBe("198.51.100.7");
    expect(addressGroup("0.0.0.0")).toBe("0.0.0.0");
    expect(addressGroup("255.255.255.255")).toBe("255.255.255.255");
  });

  it("cuts IPv6 to its /64, whatever the notation: compressed, expanded, leading zeros, upper case", () => {
    const group = "2001:db8:1:2::/64";
    for (const address of [
      "2001:db8:1:2::1",
      "2001:db8:1:2::ffff",
      "2001:db8:1:2:a:b:c:d",
      "2001:0db8:0001:0002:0000:0000:0000:0001",
      "2001:DB8:1:2::ABCD",
      "2001:db8:1:2:0:0:0:0",
      "2001:db8:1:2::",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:db8:1:2::1.2.3.4",
      "[2001:db8:1:2::1]",
    ]) {
      expect(addressGroup(address), address).toBe(group);
    }
    expect(addressGroup("2001:db8:1:3::1")).toBe("2001:db8:1:3::/64");
    expect(addressGroup("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressGroup("2001:db8::1:2:3:4")).toBe("2001:db8:0:0::/64");
    expect(addressGroup("2001:db8:0:0:1::")).toBe("2001:db8:0:0::/64");
    expect(addressGroup("::1")).toBe("0:0:0:0::/64");
    expect(addressGroup("::")).toBe("0:0:0:0::/64");
    expect(addressGroup("1:2:3:4:5:6:7::")).toBe("1:2:3:4::/64");
    expect(addressGroup("::2:3:4:5:6:7:8")).toBe("0:2:3:4::/64");
    expect(addressGroup("fd00:abcd:ef01:2345:6789::1")).toBe("fd00:abcd:ef01:2345::/64");
    expect(addressGroup("1:2:3:4:5:6:1.2.3.4")).toBe("1:2:3:4::/64");
    // IPv4-compatible (deprecated) is no mapped address: the zero /64.
    expect(addressGroup("::1.2.3.4")).toBe("0:0:0:0::/64");
  });

  it("drops a zone id", () => {
    expect(addressGroup("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressGroup("fe80::abcd:1%25")).toBe("fe80:0:0:0::/64");
    expect(addressGroup("2001:db8:1:2::9%en0")).toBe("2001:db8:1:2::/64");
    expect(addressGroup("[fe80::1%eth0]")).toBe("fe80:0:0:0::/64");
    expect(addressGroup("::ffff:198.51.100.7%eth0")).toBe("198.51.100.7");
  });

  it("groups an IPv4-mapped (or NAT64-translated) IPv6 address with its IPv4 address, in either notation", () => {
    expect(addressGroup("::ffff:198.51.100.7")).toBe("198.51.100.7");
    expect(addressGroup("::FFFF:198.51.100.7")).toBe("198.51.100.7");
    expect(addressGroup("::ffff:c633:6407")).toBe("198.51.100.7");
    expect(addressGroup("0:0:0:0:0:ffff:c633:6407")).toBe("198.51.100.7");
    expect(addressGroup("0000:0000:0000:0000:0000:FFFF:198.51.100.7")).toBe("198.51.100.7");
    expect(addressGroup("::ffff:0:0")).toBe("0.0.0.0");
    expect(addressGroup("64:ff9b::198.51.100.7")).toBe("198.51.100.7");
    expect(addressGroup("64:ff9b::c633:6407")).toBe("198.51.100.7");
    // Not mapped: another prefix, or ffff elsewhere.
    expect(addressGroup("::fffe:c633:6407")).toBe("0:0:0:0::/64");
    expect(addressGroup("1::ffff:c633:6407")).toBe("1:0:0:0::/64");
  });

  it("keeps anything it cannot parse as it is, at most 64 characters", () => {
    for (const garbage of [
      "",
      "unknown",
      "localhost",
      "198.51.100.7:443",
      "2001:db8:1:2:3:4:5:6:7",
      "2001:db8:1:2:3:4:5",
      "2001:db8::1::2",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6::1.2.3.4",
      "1:2:3:4:5:6:7:1.2.3.4",
      "::1.2.3.4:5",
      "::ab.1.2.3",
      "::1.2.3.4.5",
      "::1..2.3",
      "[]",
      "[::1]:443",
      ":::",
      ":1::2",
      "1::2:",
      "12345::1",
      "2001:db8:g::1",
      "::ffff:1.2.3",
      "::ffff:1.2.3.256",
      "::ffff:01.2.3.4",
      "1.2.3.4::",
      "%eth0",
      "[::1",
      "2001:db8:1:2::/64",
    ]) {
      expect(addressGroup(garbage), garbage).toBe(garbage);
    }
    const long = `2001:db8::${"1:".repeat(100)}1`;
    expect(addressGroup(long)).toBe(long.slice(0, 64));
    expect(addressGroup("x".repeat(10_000))).toBe("x".repeat(64));
    // A group is its own group: grouping twice changes nothing.
    expect(addressGroup(addressGroup("2001:db8:1:2::1"))).toBe("2001:db8:1:2::/64");
  });
});

describe("maxSessionsPerCaller by address group", () => {
  const init = (handler: ReturnType<typeof createHandler>, address: string) =>
    handler.fetch(initializeRequest(URL_, "2025-11-25"), undefined, { clientAddress: address });

  it("600 initializes from 600 addresses of one IPv6 /64 are capped at 256 (the default)", async () => {
    const handler = createHandler(new McpServer({ name: "v6", version: "1" }), { stores: memoryStores() });
    const statuses = new Map<number, number>();
    for (let i = 0; i < 600; i++) {
      const response = await init(handler, `2001:db8:1:2::${i.toString(16)}`);
      await response.body?.cancel();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 256, 429: 344 });
  });

  it("two /64s count apart; a mapped IPv4 address counts with its IPv4 address", async () => {
    const handler = createHandler(new McpServer({ name: "v6", version: "1" }), {
      stores: memoryStores(),
      maxSessionsPerCaller: 2,
    });
    const status = async (address: string) => {
      const response = await init(handler, address);
      await response.body?.cancel();
      return response.status;
    };
    expect(await status("2001:db8:1:2::1")).toBe(200);
    expect(await status("2001:db8:1:2:ffff::2")).toBe(200);
    expect(await status("2001:0DB8:0001:0002::3%eth0")).toBe(429);
    expect(await status("2001:db8:1:3::1")).toBe(200);
    expect(await status("2001:db8:1:3::2")).toBe(200);
    expect(await status("198.51.100.7")).toBe(200);
    expect(await status("::ffff:198.51.100.7")).toBe(200);
    expect(await status("::ffff:c633:6407")).toBe(429);
  });
});
