/**
 * `ctx.clientAddress` over real loopback HTTP: the TCP peer (an IPv4-mapped IPv6 peer as plain
 * IPv4), never a header the client sent; with `trustProxy`, the last `X-Forwarded-For` entry (the
 * one the proxy in front appended).
 */
import { createServer, type Server as HttpServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { lastForwardedFor, plainAddress } from "../src/_client-address.ts";
import { type FetchApp, type Server, serve, toNodeHandler } from "../src/index.ts";
import { listen, stopAll } from "./_helpers.ts";

/** Answers with the `ctx.clientAddress` it was given (`null` when unset). */
const echo: FetchApp = {
  fetch: (_request, _env, ctx) => Response.json({ clientAddress: ctx?.clientAddress ?? null }),
};

const started: Server[] = [];
const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    ),
  );
  await stopAll();
});

/** GET `url` with `headers` (over IPv4 or IPv6 when `family` says); the address the app saw. */
function seenFrom(url: string, headers: Record<string, string> = {}, family?: 4 | 6): Promise<unknown> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const host = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
    const options = { host, port: Number(port), path: pathname, headers, ...(family ? { family } : {}) };
    const req = httpRequest(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve((JSON.parse(body) as { clientAddress: unknown }).clientAddress));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function listenOn(host: string): Promise<string | undefined> {
  const server = createServer(toNodeHandler(echo));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, host, () => resolve());
    });
  } catch {
    return undefined; // no IPv6 on this machine
  }
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}/`;
}

describe("ctx.clientAddress", () => {
  it("serve(): the TCP peer, 127.0.0.1 over IPv4 loopback", async () => {
    const server = await serve(echo, { port: 0, onError: () => {} });
    started.push(server);
    expect(await seenFrom(server.url)).toBe("127.0.0.1");
  });

  it("ignores X-Forwarded-For, X-Real-IP and Forwarded a client sends (no trustProxy)", async () => {
    const { url } = await listen(toNodeHandler(echo));
    const spoofed = {
      "x-forwarded-for": "203.0.113.9",
      "x-real-ip": "203.0.113.9",
      forwarded: "for=203.0.113.9",
      "cf-connecting-ip": "203.0.113.9",
    };
    expect(await seenFrom(url, spoofed)).toBe("127.0.0.1");
  });

  it("a dual-stack listener reports an IPv4 peer without the ::ffff: prefix", async (t) => {
    const url = await listenOn("::");
    if (url === undefined) return t.skip();
    const port = new URL(url).port;
    expect(await seenFrom(`http://127.0.0.1:${port}/`, {}, 4)).toBe("127.0.0.1");
  });

  it("an IPv6 peer as is (::1)", async (t) => {
    const url = await listenOn("::1");
    if (url === undefined) return t.skip();
    expect(await seenFrom(url)).toBe("::1");
  });

  it("with trustProxy: the last X-Forwarded-For entry, which the proxy appended", async () => {
    const { url } = await listen(toNodeHandler(echo, { trustProxy: true }));
    // A client wrote the first entry; the proxy appended the address it saw.
    expect(await seenFrom(url, { "x-forwarded-for": "198.51.100.1, 203.0.113.9" })).toBe("203.0.113.9");
    expect(await seenFrom(url, { "x-forwarded-for": "2001:db8::7" })).toBe("2001:db8::7");
    // No entry, or one that is not an address: the peer (the proxy itself).
    expect(await seenFrom(url)).toBe("127.0.0.1");
    expect(await seenFrom(url, { "x-forwarded-for": "203.0.113.9, unknown" })).toBe("127.0.0.1");
  });

  it("serve() passes trustProxy on", async () => {
    const server = await serve(echo, { port: 0, trustProxy: true, onError: () => {} });
    started.push(server);
    expect(await seenFrom(server.url, { "x-forwarded-for": "203.0.113.9" })).toBe("203.0.113.9");
  });
});

describe("address parsing", () => {
  it("plainAddress drops an IPv4-mapped prefix only", () => {
    expect(plainAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(plainAddress("::FFFF:192.0.2.1")).toBe("192.0.2.1");
    expect(plainAddress("::ffff:c000:201")).toBe("::ffff:c000:201");
    expect(plainAddress("2001:db8::1")).toBe("2001:db8::1");
    expect(plainAddress("")).toBeUndefined();
    expect(plainAddress(undefined)).toBeUndefined();
  });

  it("lastForwardedFor takes the last entry of all header lines, with or without a port", () => {
    expect(lastForwardedFor("1.1.1.1, 2.2.2.2")).toBe("2.2.2.2");
    expect(lastForwardedFor(["1.1.1.1", "3.3.3.3 "])).toBe("3.3.3.3");
    expect(lastForwardedFor("192.0.2.1:4711")).toBe("192.0.2.1");
    expect(lastForwardedFor("[2001:db8::1]:4711")).toBe("2001:db8::1");
    expect(lastForwardedFor("::ffff:192.0.2.1")).toBe("192.0.2.1");
    for (const bad of [undefined, "", "1.1.1.1,", "unknown", "_hidden", "300.1.1.1", "a.b.c.d:1"]) {
      expect(lastForwardedFor(bad), String(bad)).toBeUndefined();
    }
  });
});
