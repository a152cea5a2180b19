import { describeStore } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { devStores, serveDevStores } from "../src/dev/index.ts";

describeStore("dev stores (memory stores served over HTTP)", async () => {
  const server = await serveDevStores();
  // The battery throws in a subscriber on purpose: keep that report out of the output.
  return {
    stores: devStores(server.url, { token: server.token, onError: () => {} }),
    cleanup: () => server.close(),
  };
});

describe("dev stores", () => {
  it("serve only requests with their bearer token, and only the store operations", async () => {
    const server = await serveDevStores();
    try {
      const call = (body: unknown, token: string | null = server.token, path = "/call") =>
        fetch(`${server.url}${path}`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify(body),
        });
      const get = { store: "sessions", op: "get", args: ["k"] };
      expect((await call(get, null)).status).toBe(401);
      expect((await call(get, `${server.token.slice(0, -1)}!`)).status).toBe(401);
      expect((await call({ topic: { kind: "broadcast" } }, null, "/subscribe")).status).toBe(401);
      expect((await call(get, server.token, "/other")).status).toBe(404);
      expect((await call({ store: "sessions", op: "constructor", args: [] })).status).toBe(400);
      const ok = await call(get);
      expect(await ok.json()).toEqual({});
    } finally {
      await server.close();
    }
  });

  it("take a token of 16 characters or more, and read PORTICO_DEV_STORES_TOKEN by default", async () => {
    await expect(serveDevStores({ token: "short" })).rejects.toThrow(/at least 16/);
    const server = await serveDevStores({ token: "a-token-for-this-test" });
    const saved = process.env.PORTICO_DEV_STORES_TOKEN;
    try {
      process.env.PORTICO_DEV_STORES_TOKEN = server.token;
      expect(await devStores(server.url).sessions.get({ kind: "session", session: "k" })).toBeUndefined();
      delete process.env.PORTICO_DEV_STORES_TOKEN;
      await expect(devStores(server.url).sessions.get({ kind: "session", session: "k" })).rejects.toThrow(
        /bearer token/,
      );
    } finally {
      if (saved === undefined) delete process.env.PORTICO_DEV_STORES_TOKEN;
      else process.env.PORTICO_DEV_STORES_TOKEN = saved;
      await server.close();
    }
  });

  it("fail with StoreUnavailableError when the server is gone", async () => {
    const server = await serveDevStores();
    const stores = devStores(server.url, { token: server.token });
    await server.close();
    await expect(stores.sessions.get({ kind: "session", session: "k" })).rejects.toMatchObject({
      code: "store_unavailable",
    });
    await expect(stores.bus.subscribe({ kind: "broadcast" }, () => {})).rejects.toMatchObject({
      code: "store_unavailable",
    });
  });
});
