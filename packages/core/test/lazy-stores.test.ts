/**
 * The default stores are made on first use: a handler built without `stores` makes none until a
 * request needs one, then makes them once; members delegate to the made stores.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer, memoryStores } from "../src/index.ts";
import { keys } from "../src/stores/keys.ts";
import { lazyStores } from "../src/stores/lazy.ts";
import { modernRequest, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

function counting(limits = true) {
  let made = 0;
  const make = () => {
    made++;
    const stores = memoryStores();
    if (!limits) delete stores.limits;
    return stores;
  };
  return { make, made: () => made };
}

describe("lazyStores", () => {
  it("makes nothing until a member is called, then makes the stores once", async () => {
    const { make, made } = counting();
    const stores = lazyStores(make, true);
    expect(made()).toBe(0);
    expect(await stores.sessions.create(keys.session("s1"), { a: 1 }, 60_000)).toBe(true);
    expect(made()).toBe(1);
    expect((await stores.sessions.get(keys.session("s1")))?.value).toEqual({ a: 1 });
    expect(await stores.sessions.update(keys.session("s1"), 1, { a: 2 }, 60_000)).toBe(true);
    const id = await stores.events.append("s1", "st", { n: 1 });
    expect((await stores.events.replay("s1", id))?.streamId).toBe("st");
    await stores.events.trim("s1");
    const seen: unknown[] = [];
    const subscription = await stores.bus.subscribe(keys.session("s1"), (m) => seen.push(m));
    await stores.bus.publish(keys.session("s1"), { hello: true });
    await subscription.unsubscribe();
    expect(seen).toEqual([{ hello: true }]);
    expect(
      (await stores.limits?.take(keys.session("s1"), { limit: 1, periodMs: 1000, burst: 2, cost: 1 }))
        ?.allowed,
    ).toBe(true);
    await stores.sessions.delete(keys.session("s1"));
    expect(await stores.sessions.get(keys.session("s1"))).toBeUndefined();
    expect(made()).toBe(1);
  });

  it("has limits exactly when told the made stores have them", () => {
    expect(lazyStores(counting(false).make, false).limits).toBeUndefined();
    expect(lazyStores(counting().make, true).limits).toBeDefined();
  });
});

describe("a handler's default stores", () => {
  it("serve a modern call, and a legacy session once one opens (made then)", async () => {
    const server = new McpServer({ name: "lazy", version: "1" });
    addTool(server, "echo", {}, () => "ok");
    const handler = createHandler(server);
    const call = await handler.fetch(modernRequest("tools/call", { name: "echo", arguments: {} }));
    expect((await call.json()).result.content[0].text).toBe("ok");
    const init = await handler.fetch(initializeRequest(URL_));
    expect(init.status).toBe(200);
    expect(init.headers.get("mcp-session-id")).toBeTruthy();
  });
});
