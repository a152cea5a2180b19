/**
 * `handle()` needs nothing of Bun (it is fetch in, fetch out), so these run in Node; the battery
 * and `serve()` run in a real Bun (describe-adapter.test.ts, serve.test.ts).
 */
import { bufferedResponse, type ExecutionContextLike, type FetchApp, hostErrorBody } from "@portico/host";
import { describe, expect, it } from "vitest";
import { handle } from "../src/index.ts";

function capture(answer: (request: Request) => unknown = () => new Response("ok")) {
  const seen: { env?: unknown; ctx?: ExecutionContextLike } = {};
  const app = {
    fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike) {
      seen.env = env;
      if (ctx !== undefined) seen.ctx = ctx;
      return answer(request);
    },
  } as FetchApp;
  return { app, seen };
}

describe("handle()", () => {
  it("hands the request over untouched, with env and ctx", async () => {
    const shutdown = new AbortController();
    const { app, seen } = capture((request) => new Response(`${request.method} ${request.url}`));
    const fetch = handle(app, { env: { name: "env" }, signal: shutdown.signal });
    const response = await fetch(
      new Request("http://127.0.0.1/mcp?x=1", { method: "POST", headers: { "x-request-id": "abc" } }),
    );
    expect(await response.text()).toBe("POST http://127.0.0.1/mcp?x=1");
    expect(seen.env).toEqual({ name: "env" });
    expect(seen.ctx?.requestId).toBe("abc");
    expect(seen.ctx?.signal).toBe(shutdown.signal);
    expect(seen.ctx?.bufferedResponses).toBeUndefined();
  });

  it("makes a UUID request id when the client sent none or an unprintable one", async () => {
    const { app, seen } = capture();
    const fetch = handle(app);
    await fetch(new Request("http://127.0.0.1/", { headers: { "x-request-id": "a b" } }));
    const first = seen.ctx?.requestId;
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.ctx?.requestId).toBe(first);
    expect(seen.ctx?.signal).toBeUndefined();
  });

  it("guards waitUntil: the host hook gets the promise, a rejection goes to onError", async () => {
    const errors: unknown[] = [];
    const handed: Promise<unknown>[] = [];
    const { app, seen } = capture();
    await handle(app, { onError: (e) => errors.push(e), waitUntil: (p) => handed.push(p) })(
      new Request("http://127.0.0.1/"),
    );
    seen.ctx?.waitUntil?.(Promise.reject(new Error("late failure")));
    expect(handed).toHaveLength(1);
    await handed[0];
    expect(errors.map(String)).toEqual(["Error: late failure"]);
  });

  it("answers an app that throws, or returns no Response, with the host's 500 and reports it", async () => {
    for (const answer of [
      () => {
        throw new Error("secret detail");
      },
      () => "not a response",
    ]) {
      const errors: unknown[] = [];
      const { app } = capture(answer);
      const response = await handle(app, { onError: (e) => errors.push(e) })(
        new Request("http://127.0.0.1/"),
      );
      expect(response.status).toBe(500);
      expect(response.headers.get("content-type")).toBe("application/json");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.text()).toBe(hostErrorBody(500));
      expect(errors).toHaveLength(1);
    }
  });

  it("does not report an app that gives up because the client left", async () => {
    const errors: unknown[] = [];
    const client = new AbortController();
    const { app } = capture(() => {
      client.abort();
      throw new DOMException("gone", "AbortError");
    });
    const request = new Request("http://127.0.0.1/", { signal: client.signal });
    const response = await handle(app, { onError: (e) => errors.push(e) })(request);
    expect(response.status).toBe(500);
    expect(errors).toEqual([]);
  });

  it("takes ctx.clientAddress from the server Bun passes (requestIP), never from a header", async () => {
    const { app, seen } = capture();
    const spoofed = { "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9" };
    const request = new Request("http://127.0.0.1/", { headers: spoofed });
    const asked: Request[] = [];
    const server = (address: string | null) => ({
      requestIP: (r: Request) => {
        asked.push(r);
        return address === null ? null : { address, family: "IPv6", port: 50_000 };
      },
    });

    await handle(app)(request, server("2001:db8::7"));
    expect(seen.ctx?.clientAddress).toBe("2001:db8::7");
    expect(asked).toEqual([request]);
    // An IPv4 peer of a dual-stack listener, as plain IPv4.
    await handle(app)(request, server("::ffff:192.0.2.1"));
    expect(seen.ctx?.clientAddress).toBe("192.0.2.1");
    // No address (a Unix socket), no server (a direct call), a server that refuses the request.
    for (const given of [
      server(null),
      server(""),
      undefined,
      {
        requestIP: () => {
          throw new TypeError("not this server's request");
        },
      },
    ]) {
      await handle(app)(request, given);
      expect(seen.ctx?.clientAddress).toBeUndefined();
    }
  });

  it("turns the connection's idle timeout off before the app runs; serves without server.timeout too", async () => {
    // Bun.serve closes connections idle for `idleTimeout` (10 s): see idle-timeout.test.ts in Bun.
    const events: unknown[] = [];
    const { app } = capture(() => {
      events.push("app");
      return new Response("ok");
    });
    const request = new Request("http://127.0.0.1/");
    const server = { requestIP: () => null, timeout: (r: Request, s: number) => void events.push([r, s]) };
    expect(await (await handle(app)(request, server)).text()).toBe("ok");
    // Off while the app works; back to the idle timeout once a non-stream answer is ready, so an
    // idle keep-alive connection still closes (opts.idleTimeout, default 10: Bun's).
    expect(events).toEqual([[request, 0], "app", [request, 10]]);
    events.length = 0;
    await handle(app, { idleTimeout: 3 })(request, server);
    expect(events).toEqual([[request, 0], "app", [request, 3]]);
    // An SSE answer streams as long as the server likes: its connection keeps no timeout.
    events.length = 0;
    const sse = capture(
      () => new Response("data: x\n\n", { headers: { "content-type": "text/event-stream" } }),
    );
    await handle(sse.app)(request, server);
    expect(events).toEqual([[request, 0]]);
    expect(() => handle(app, { idleTimeout: -1 })).toThrow(/idleTimeout must be a whole number/);
    // An older Bun without `timeout`, a server that refuses the request: served all the same.
    const refusing = {
      requestIP: () => null,
      timeout: () => {
        throw new TypeError("not this server's request");
      },
    };
    for (const given of [{ requestIP: () => null }, refusing]) {
      expect(await (await handle(app)(request, given)).text()).toBe("ok");
    }
  });

  it("turns a buffered response into a real one (Bun writes only real ones)", async () => {
    const { app } = capture(() =>
      bufferedResponse('{"ok":true}', 201, { "content-type": "application/json" }),
    );
    const response = await handle(app)(new Request("http://127.0.0.1/"));
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ ok: true });
  });
});
