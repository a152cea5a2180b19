import { describeStore } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { devStores, serveDevStores } from "../src/dev/index.ts";

describeStore("dev stores (memory stores served over HTTP)", async () => {
  const server = await serveDevStores();
  // The battery throws in a subscriber on purpose: keep that report out of the output.
  return { stores: devStores(server.url, { onError: () => {} }), cleanup: () => server.close() };
});

describe("dev stores", () => {
  it("serve only under their unguessable URL and only the store operations", async () => {
    const server = await serveDevStores();
    try {
      const origin = new URL(server.url).origin;
      const call = (url: string, body: unknown) =>
        fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      expect((await call(`${origin}/call`, { store: "sessions", op: "get", args: ["k"] })).status).toBe(404);
      const constructorCall = await call(`${server.url}/call`, {
        store: "sessions",
        op: "constructor",
        args: [],
      });
      expect(constructorCall.status).toBe(400);
      const ok = await call(`${server.url}/call`, { store: "sessions", op: "get", args: ["k"] });
      expect(await ok.json()).toEqual({});
    } finally {
      await server.close();
    }
  });

  it("fail with StoreUnavailableError when the server is gone", async () => {
    const server = await serveDevStores();
    const stores = devStores(server.url);
    await server.close();
    await expect(stores.sessions.get({ kind: "session", session: "k" })).rejects.toMatchObject({
      code: "store_unavailable",
    });
    await expect(stores.bus.subscribe({ kind: "broadcast" }, () => {})).rejects.toMatchObject({
      code: "store_unavailable",
    });
  });
});
