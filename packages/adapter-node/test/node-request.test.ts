import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { toNodeHandler } from "../src/index.ts";
import { listen, rawRequest, stopAll } from "./_helpers.ts";

afterEach(stopAll);

/** Serves `inspect(request)`'s JSON-able result. */
async function serveInspector(inspect: (request: Request) => Promise<unknown>) {
  return listen(
    toNodeHandler({
      async fetch(request) {
        try {
          return Response.json(await inspect(request));
        } catch (error) {
          return Response.json({ threw: String(error) }, { status: 500 });
        }
      },
    }),
  );
}

describe("the lightweight Request", () => {
  it("is a Request: instanceof, and members it does not implement itself work through a real one", async () => {
    const { url } = await serveInspector(async (request) => {
      const copy = request.clone();
      return {
        isRequest: request instanceof Request,
        headersAreHeaders: request.headers instanceof Headers,
        method: request.method,
        mode: request.mode,
        redirect: request.redirect,
        tag: Object.prototype.toString.call(request),
        original: await request.text(),
        copy: await copy.text(),
      };
    });
    const res = await fetch(`${url}/x`, { method: "POST", body: "hello" });
    expect(await res.json()).toEqual({
      isRequest: true,
      headersAreHeaders: true,
      method: "POST",
      mode: "cors",
      redirect: "follow",
      tag: "[object Request]",
      original: "hello",
      copy: "hello",
    });
  });

  it("reads a body that arrives in pieces, and refuses a second read", async () => {
    const { url } = await serveInspector(async (request) => {
      const text = await request.text();
      const again = await request.text().then(
        () => "read twice",
        (error: unknown) => (error instanceof TypeError ? "TypeError" : String(error)),
      );
      return { length: text.length, tail: text.slice(-3), bodyUsed: request.bodyUsed, again };
    });
    const { port } = new URL(url);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: "127.0.0.1", port, method: "POST", path: "/", headers: { "content-length": "30000" } },
        (res) => {
          let out = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            out += c;
          });
          res.on("end", () => resolve(out));
        },
      );
      req.on("error", reject);
      req.write("a".repeat(10_000));
      setTimeout(() => req.write("b".repeat(10_000)), 30);
      setTimeout(() => req.end(`${"c".repeat(9_997)}end`), 60);
    });
    expect(JSON.parse(body)).toEqual({ length: 30_000, tail: "end", bodyUsed: true, again: "TypeError" });
  });

  it("gives bytes(), arrayBuffer() and json() the same body", async () => {
    const payload = JSON.stringify({ word: "wörld" });
    for (const how of ["bytes", "arrayBuffer", "json"] as const) {
      const { url } = await serveInspector(async (request) => {
        if (how === "json") return request.json();
        const data = how === "bytes" ? await request.bytes() : new Uint8Array(await request.arrayBuffer());
        return JSON.parse(new TextDecoder().decode(data));
      });
      const res = await fetch(url, { method: "POST", body: payload });
      expect(await res.json()).toEqual({ word: "wörld" });
    }
  });

  it("has headers that read like Fetch's and can be changed", async () => {
    const { url } = await serveInspector(async (request) => {
      const h = request.headers;
      const before = {
        multi: h.get("X-Multi"),
        cookie: h.get("cookie"),
        has: h.has("x-multi"),
        none: h.get("x-none"),
      };
      const setCookies = h.getSetCookie();
      h.set("x-added", "yes");
      h.delete("x-multi");
      return { before, setCookies, after: Object.fromEntries(h) };
    });
    const raw = await rawRequest(
      url,
      "GET / HTTP/1.1\r\nHost: example.test\r\nX-Multi: a\r\nX-Multi: b\r\nCookie: a=1\r\nCookie: b=2\r\n" +
        "Set-Cookie: s=1\r\nSet-Cookie: t=2\r\nConnection: close\r\n\r\n",
    );
    const seen = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
    expect(seen.before).toEqual({ multi: "a, b", cookie: "a=1; b=2", has: true, none: null });
    expect(seen.setCookies).toEqual(["s=1", "t=2"]);
    expect(seen.after).toMatchObject({ "x-added": "yes", host: "example.test", cookie: "a=1; b=2" });
    expect(seen.after["x-multi"]).toBeUndefined();
  });

  it("streams through `body` when the app asks for the stream", async () => {
    const { url } = await serveInspector(async (request) => {
      const reader = request.body?.getReader();
      let size = 0;
      for (;;) {
        const chunk = await reader?.read();
        if (chunk === undefined || chunk.done) break;
        size += chunk.value.byteLength;
      }
      return { size, bodyUsed: request.bodyUsed };
    });
    const res = await fetch(url, { method: "POST", body: "x".repeat(100_000) });
    expect(await res.json()).toEqual({ size: 100_000, bodyUsed: true });
  });
});
