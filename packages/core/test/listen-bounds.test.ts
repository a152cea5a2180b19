/**
 * What one caller can make the modern era hold with `subscriptions/listen` is bounded: a filter's
 * `resourceSubscriptions` by the legacy subscription bounds (`MAX_SUBSCRIPTIONS` URIs of at most
 * `MAX_SUBSCRIBED_URI` characters; beyond: 400/-32602), only URIs the server has (and the caller
 * may use) are honoured — the acknowledgement says which — and the streams one caller holds open
 * at once on an instance by `maxListenStreamsPerCaller` (beyond: 429/-32600 with `Retry-After`),
 * a place given back however the stream ends. Counted in streams and answers, never timed.
 */
import { describe, expect, it } from "vitest";
import {
  type AuthInfo,
  addResource,
  addResourceTemplate,
  createHandler,
  enableTasks,
  type HandlerOptions,
  McpServer,
  memoryStores,
} from "../src/index.ts";
import { MAX_SUBSCRIBED_URI, MAX_SUBSCRIPTIONS } from "../src/methods/resources.ts";
import { read, sseMessages } from "./_client.ts";
import { listenRequest } from "./_requests.ts";

const URL_ = "http://127.0.0.1/mcp";

function server() {
  const s = new McpServer({ name: "listen", version: "1" });
  addResource(s, "docs://readme", { name: "readme" }, (uri) => [{ uri, text: "x" }]);
  addResource(s, "docs://secret", { name: "secret", scopes: ["docs:secret"] }, (uri) => [{ uri, text: "x" }]);
  addResourceTemplate(s, "notes://note/{id}", { name: "note" }, (uri) => [{ uri, text: "x" }]);
  return s;
}

/** A handler whose caller is whoever the `x-user` header names (anonymous without it). */
function handler(options: HandlerOptions = {}, s = server()) {
  const h = createHandler(s, {
    onError: () => {},
    authenticate: (request): AuthInfo | undefined => {
      const user = request.headers.get("x-user");
      return user === null ? undefined : { subject: user, scopes: user === "admin" ? ["docs:secret"] : [] };
    },
    ...options,
  });
  return Object.assign(h, { server: s });
}

type Handler = ReturnType<typeof handler>;

interface Caller {
  address?: string;
  user?: string;
  signal?: AbortSignal;
}

function listen(h: Handler, notifications: Record<string, unknown>, who: Caller = {}): Promise<Response> {
  const headers: Record<string, string> = who.user === undefined ? {} : { "x-user": who.user };
  return h.fetch(listenRequest(URL_, notifications, {}, headers), undefined, {
    ...(who.address === undefined ? {} : { clientAddress: who.address }),
    ...(who.signal === undefined ? {} : { signal: who.signal }),
  });
}

/** Opens `n` listen streams for `who`; answers their statuses and the open ones. */
async function openMany(h: Handler, n: number, who: Caller) {
  const statuses: number[] = [];
  const open: Response[] = [];
  for (let i = 0; i < n; i++) {
    const res = await listen(h, { resourcesListChanged: true }, who);
    statuses.push(res.status);
    if (res.status === 200) open.push(res);
    else await res.text();
  }
  return { statuses, open };
}

const times = (n: number, status: number) => Array.from({ length: n }, () => status);

describe("subscriptions/listen resourceSubscriptions", () => {
  it(`refuses more than ${MAX_SUBSCRIPTIONS} URIs with -32602, holding nothing`, async () => {
    const h = handler();
    const uris = Array.from({ length: MAX_SUBSCRIPTIONS + 1 }, (_, i) => `notes://note/${i}`);
    const refused = await listen(h, { resourceSubscriptions: uris });
    expect(refused.status).toBe(400);
    const answer = await read(refused);
    expect(answer.contentType).toContain("application/json");
    expect(answer.final).toMatchObject({ id: "sub-1", error: { code: -32602 } });
    expect(answer.final.error.message).toContain(String(MAX_SUBSCRIPTIONS));
    // Exactly the bound is fine.
    const ok = await listen(h, { resourceSubscriptions: uris.slice(0, MAX_SUBSCRIPTIONS) });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
    h.close();
  });

  it(`refuses a URI longer than ${MAX_SUBSCRIBED_URI} characters, and entries that are no string`, async () => {
    const h = handler();
    const long = `notes://note/${"x".repeat(MAX_SUBSCRIBED_URI)}`;
    for (const resourceSubscriptions of [[long], ["docs://readme", 7], "docs://readme", [null]]) {
      const refused = await listen(h, { resourceSubscriptions });
      expect(refused.status).toBe(400);
      const answer = await read(refused);
      expect(answer.final).toMatchObject({ id: "sub-1", error: { code: -32602 } });
      // The client's text is not echoed whole.
      expect(JSON.stringify(answer.final).length).toBeLessThan(1000);
    }
    h.close();
  });

  it("honours only URIs the server has and the caller may use, each once: the acknowledgement says which", async () => {
    const h = handler();
    const requested = [
      "docs://readme",
      "docs://readme",
      "docs://unknown",
      "notes://note/7",
      "docs://secret",
      "other://x",
    ];
    const res = await listen(h, { resourceSubscriptions: requested });
    expect(res.status).toBe(200);
    const messages = sseMessages(res);
    const ack = (await messages.next()).value;
    expect(ack).toMatchObject({ method: "notifications/subscriptions/acknowledged" });
    expect(ack.params.notifications.resourceSubscriptions).toEqual(["docs://readme", "notes://note/7"]);
    // Updates of what was left out are not sent; of what was honoured, they are.
    h.server.resourceUpdated("docs://unknown");
    h.server.resourceUpdated("docs://secret");
    h.server.resourceUpdated("notes://note/7");
    const next = (await messages.next()).value;
    expect(next).toMatchObject({
      method: "notifications/resources/updated",
      params: { uri: "notes://note/7" },
    });
    await messages.return(undefined);

    // A caller holding the scope has the scoped resource honoured.
    const admin = await listen(h, { resourceSubscriptions: ["docs://secret"] }, { user: "admin" });
    const adminAck = (await sseMessages(admin).next()).value;
    expect(adminAck.params.notifications.resourceSubscriptions).toEqual(["docs://secret"]);
    await admin.body?.cancel().catch(() => {});
    h.close();
  });
});

describe("maxListenStreamsPerCaller", () => {
  it("caps the listen streams one address holds open (default 16): 429 + Retry-After beyond", async () => {
    const h = handler();
    const { statuses, open } = await openMany(h, 17, { address: "10.0.0.1" });
    expect(statuses).toEqual([...times(16, 200), 429]);
    const refused = await listen(h, { resourcesListChanged: true }, { address: "10.0.0.1" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    const body = await refused.json();
    expect(body).toMatchObject({ jsonrpc: "2.0", id: "sub-1", error: { code: -32600 } });
    expect(body.error.message).toContain("16");
    // Another address has its own allowance.
    const other = await listen(h, { resourcesListChanged: true }, { address: "10.0.0.2" });
    expect(other.status).toBe(200);
    for (const res of [...open, other]) await res.body?.cancel();
    h.close();
  });

  it("counts an authenticated caller by its principal, wherever it comes from", async () => {
    const h = handler({ maxListenStreamsPerCaller: 2 });
    const ann1 = await openMany(h, 1, { user: "ann", address: "10.0.0.1" });
    const ann2 = await openMany(h, 2, { user: "ann", address: "10.0.0.2" });
    expect([...ann1.statuses, ...ann2.statuses]).toEqual([200, 200, 429]);
    // Bob behind the same address as Ann is another caller.
    const bob = await openMany(h, 2, { user: "bob", address: "10.0.0.1" });
    expect(bob.statuses).toEqual([200, 200]);
    for (const res of [...ann1.open, ...ann2.open, ...bob.open]) await res.body?.cancel();
    h.close();
  });

  it("counts an IPv6 address by its /64, like maxSessionsPerCaller", async () => {
    const h = handler({ maxListenStreamsPerCaller: 2 });
    const statuses: number[] = [];
    const open: Response[] = [];
    for (const address of ["2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2::3"]) {
      const res = await listen(h, { resourcesListChanged: true }, { address });
      statuses.push(res.status);
      if (res.status === 200) open.push(res);
    }
    expect(statuses).toEqual([200, 200, 429]);
    for (const res of open) await res.body?.cancel();
    h.close();
  });

  it("does not count a caller the server cannot tell apart (no principal, no address), as legacy", async () => {
    const h = handler({ maxListenStreamsPerCaller: 2 });
    const { statuses, open } = await openMany(h, 4, {});
    expect(statuses).toEqual(times(4, 200));
    for (const res of open) await res.body?.cancel();
    h.close();
  });

  it("gives the place back when the client cancels", async () => {
    const h = handler({ maxListenStreamsPerCaller: 2 });
    const who = { address: "10.0.0.1" };
    for (let round = 0; round < 3; round++) {
      const { statuses, open } = await openMany(h, 3, who);
      expect(statuses).toEqual([200, 200, 429]);
      for (const res of open) await res.body?.cancel();
    }
    h.close();
  });

  it("gives the place back when the stream ends at maxStreamMs or on shutdown", async () => {
    const h = handler({ maxListenStreamsPerCaller: 2, maxStreamMs: 50 });
    const who = { address: "10.0.0.1" };
    for (let round = 0; round < 2; round++) {
      const { statuses, open } = await openMany(h, 3, who);
      expect(statuses).toEqual([200, 200, 429]);
      // Each ends with its final result.
      for (const res of open) expect((await read(res)).final).toMatchObject({ id: "sub-1", result: {} });
    }
    h.close();

    const shut = handler({ maxListenStreamsPerCaller: 2 });
    for (let round = 0; round < 2; round++) {
      const shutdown = new AbortController();
      const { statuses, open } = await openMany(shut, 3, { ...who, signal: shutdown.signal });
      expect(statuses).toEqual([200, 200, 429]);
      shutdown.abort();
      for (const res of open) expect((await read(res)).final).toMatchObject({ id: "sub-1", result: {} });
    }
    shut.close();
  });

  it("gives the place back when the client stops reading and the stream is dropped", async () => {
    // An acknowledgement of 100 long URIs (~200 KB) fills the stream of a client that reads nothing.
    const s = server();
    addResourceTemplate(s, "big://{+path}", { name: "big" }, (uri) => [{ uri, text: "x" }]);
    const h = handler({ maxListenStreamsPerCaller: 1, keepAliveMs: 10 }, s);
    const who = { address: "10.0.0.1" };
    const uris = Array.from({ length: MAX_SUBSCRIPTIONS }, (_, i) => `big://${i}/${"x".repeat(2000)}`);
    const stalled = await listen(h, { resourceSubscriptions: uris }, who);
    expect(stalled.status).toBe(200);
    const meanwhile = await listen(h, { resourcesListChanged: true }, who);
    expect(meanwhile.status).toBe(429);
    await meanwhile.text();
    // Dropped once two keep-alive intervals pass without a read: the place comes back.
    let status = 429;
    for (let attempt = 0; attempt < 200 && status === 429; attempt++) {
      await new Promise((r) => setTimeout(r, 10));
      const res = await listen(h, { resourcesListChanged: true }, who);
      status = res.status;
      if (status === 200) await res.body?.cancel();
      else await res.text();
    }
    expect(status).toBe(200);
    h.close();
  });

  it("gives the place back when the listen is refused after taking it (taskIds without the extension)", async () => {
    const s = server();
    enableTasks(s);
    const h = handler({ maxListenStreamsPerCaller: 1 }, s);
    const who = { address: "10.0.0.1" };
    for (let i = 0; i < 3; i++) {
      const refused = await listen(h, { taskIds: ["t-1"] }, who);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: { code: -32021 } });
    }
    const { statuses, open } = await openMany(h, 2, who);
    expect(statuses).toEqual([200, 429]);
    for (const res of open) await res.body?.cancel();
    h.close();
  });

  it("gives the place back when opening the stream fails", async () => {
    const stores = memoryStores();
    let failing = true;
    const bus = {
      ...stores.bus,
      subscribe: (topic: string, onEvent: (event: unknown) => void) =>
        failing ? Promise.reject(new Error("bus down")) : stores.bus.subscribe(topic, onEvent),
    };
    const h = handler({ maxListenStreamsPerCaller: 2, stores: { ...stores, bus } });
    const who = { address: "10.0.0.1" };
    const failed = await openMany(h, 5, who);
    expect(failed.statuses).toEqual(times(5, 500));
    failing = false;
    const { statuses, open } = await openMany(h, 3, who);
    expect(statuses).toEqual([200, 200, 429]);
    for (const res of open) await res.body?.cancel();
    h.close();
  });

  it("refuses an out-of-range value", () => {
    for (const value of [0, -1, Number.NaN, "8" as unknown as number]) {
      expect(() => createHandler(server(), { maxListenStreamsPerCaller: value })).toThrowError(
        /maxListenStreamsPerCaller/,
      );
    }
    expect(() =>
      createHandler(server(), { maxListenStreamsPerCaller: Number.POSITIVE_INFINITY }).close(),
    ).not.toThrow();
  });
});
