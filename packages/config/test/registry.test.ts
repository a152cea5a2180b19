import { memoryStores, type ServerEvent, type StoreKey } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StoreRegistry, storeRegistry, type ToolDef } from "../src/index.ts";
import {
  eventually,
  legacyStream,
  listed,
  listenForTools,
  modern,
  nextMethod,
  type TestApi,
  testApi,
  testHandler,
} from "./_helpers.ts";

let api: TestApi;
beforeAll(async () => {
  api = await testApi();
});
afterAll(() => api.close());

const echo = (name: string, path = "/echo"): ToolDef => ({
  name,
  description: `calls ${path}`,
  http: { method: "GET", url: `${api.base}${path}` },
});

/** Two instances (servers, handlers, registries) over one set of memory stores. */
async function twoInstances(refreshMs = 60_000) {
  const stores = memoryStores();
  const make = async () => {
    const { server, handler } = testHandler(stores);
    const events: ServerEvent[] = [];
    server.subscribe((e) => events.push(e));
    const registry = await storeRegistry(server, { stores, refreshMs, onError: () => {} });
    return { server, handler, events, registry };
  };
  const a = await make();
  const b = await make();
  const close = async () => {
    for (const one of [a, b]) {
      await one.registry.close();
      await one.handler.close();
    }
  };
  return { stores, a, b, close };
}

describe("storeRegistry", () => {
  it("a put on one instance is served by the other (bus), with list_changed on both", async () => {
    const { a, b, close } = await twoInstances();
    try {
      await a.registry.put("tools", echo("hello"));
      expect(await listed(a.handler, "tools")).toEqual(["hello", "static"]);
      await eventually(async () => expect(await listed(b.handler, "tools")).toEqual(["hello", "static"]));
      const answer = await modern(b.handler, "tools/call", { name: "hello", arguments: {} });
      expect(answer.result.structuredContent).toEqual({ method: "GET", url: "/echo", body: null });
      for (const one of [a, b]) expect(one.events).toContainEqual({ type: "list_changed", kind: "tools" });
      expect(b.registry.current()).toEqual({ tools: [echo("hello")] });

      expect(await b.registry.remove("tools", "hello")).toBe(true);
      expect(await b.registry.remove("tools", "hello")).toBe(false);
      await eventually(async () => expect(await listed(a.handler, "tools")).toEqual(["static"]));
      expect(await listed(b.handler, "tools")).toEqual(["static"]);
    } finally {
      await close();
    }
  });

  it("clients of both eras on the other instance hear tools/list_changed", async () => {
    const { a, b, close } = await twoInstances();
    try {
      const listen = await listenForTools(b.handler);
      expect(listen.headers.get("content-type")).toContain("text/event-stream");
      const legacy = await legacyStream(b.handler);
      expect(legacy.headers.get("content-type")).toContain("text/event-stream");
      const heard = Promise.all([
        nextMethod(listen, "notifications/tools/list_changed"),
        nextMethod(legacy, "notifications/tools/list_changed"),
      ]);
      await new Promise((r) => setTimeout(r, 50));
      await a.registry.put("tools", echo("late"));
      await heard;
    } finally {
      await close();
    }
  });

  it("a changed definition is replaced, an unchanged one kept; replace() swaps the document", async () => {
    const { a, b, close } = await twoInstances();
    try {
      await a.registry.put("tools", echo("one"));
      await a.registry.put("resources", { uri: "docs://a", name: "a", text: "first" });
      await eventually(async () => expect(await listed(b.handler, "resources")).toEqual(["docs://a"]));
      const before = b.events.length;
      await a.registry.put("tools", echo("one", "/changed"));
      await eventually(async () =>
        expect((await modern(b.handler, "tools/call", { name: "one" })).result.structuredContent?.url).toBe(
          "/changed",
        ),
      );
      // Removed and added again: two list_changed for tools, none for the untouched resource.
      expect(b.events.slice(before)).toEqual([
        { type: "list_changed", kind: "tools" },
        { type: "list_changed", kind: "tools" },
      ]);
      await b.registry.replace("prompts:\n  - name: p\n    messages: [{ role: user, text: hi }]\n");
      await eventually(async () => expect(await listed(a.handler, "prompts")).toEqual(["p"]));
      expect(await listed(a.handler, "tools")).toEqual(["static"]);
      expect(await listed(a.handler, "resources")).toEqual([]);
    } finally {
      await close();
    }
  });

  it("validates before writing; a late instance loads the stored document at start", async () => {
    const { stores, a, close } = await twoInstances();
    try {
      await expect(
        a.registry.put("tools", { ...echo("bad"), http: { method: "GET", url: "nope" } }),
      ).rejects.toThrow("tools[0].http.url: must start with http:// or https://");
      await a.registry.put("tools", echo("kept"));
      const key: StoreKey = { kind: "config-registry", id: "default" };
      const record = await stores.sessions.get(key);
      expect(record?.value).toEqual({ tools: [echo("kept")] });
      expect(record?.expiresAt).toBeGreaterThan(Date.now() + 5 * 365 * 24 * 3_600_000);
      const late = testHandler(stores);
      const registry = await storeRegistry(late.server, { stores });
      expect(await listed(late.handler, "tools")).toEqual(["kept", "static"]);
      await registry.close();
      await late.handler.close();
    } finally {
      await close();
    }
  });

  it("concurrent puts on both instances all land (compare-and-set)", async () => {
    const { a, b, close } = await twoInstances();
    try {
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 10; i++) writes.push((i % 2 ? a : b).registry.put("tools", echo(`t${i}`)));
      await Promise.all(writes);
      const expected = [...Array.from({ length: 10 }, (_, i) => `t${i}`), "static"].sort();
      for (const one of [a, b])
        await eventually(async () => expect(await listed(one.handler, "tools")).toEqual(expected));
    } finally {
      await close();
    }
  });

  it("re-reads every refreshMs even without a bus message", async () => {
    const stores = memoryStores();
    const { server, handler } = testHandler(stores);
    const registry: StoreRegistry = await storeRegistry(server, { stores, refreshMs: 50 });
    try {
      await stores.sessions.create(
        { kind: "config-registry", id: "default" },
        { tools: [echo("quiet") as never] },
        60_000,
      );
      await eventually(async () => expect(await listed(handler, "tools")).toEqual(["quiet", "static"]));
    } finally {
      await registry.close();
      await handler.close();
    }
  });
});
