/**
 * Redis full (`maxmemory` reached with `noeviction`): the deployment's global bound on what clients
 * can make it store. Writes fail as unavailable (503 + Retry-After from the handler, not a 500),
 * reads keep working, and once there is room again everything works — for every client kind.
 */
import { createHandler, isStoreUnavailable, McpServer } from "@portico/core";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, type OpenedClient, openClient, openStores } from "./_clients.ts";

const backends = useBackends();
let admin: OpenedClient;

async function command(...args: string[]): Promise<unknown> {
  const client = admin.client as unknown as { sendCommand(args: string[]): Promise<unknown> };
  return client.sendCommand(args);
}

/** Redis as if full: `maxmemory` below what it already uses, with `noeviction`. */
async function fill(): Promise<void> {
  const info = String(await command("INFO", "memory"));
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1]);
  await command("CONFIG", "SET", "maxmemory-policy", "noeviction");
  await command("CONFIG", "SET", "maxmemory", String(Math.floor(used / 2)));
}

async function empty(): Promise<void> {
  await command("CONFIG", "SET", "maxmemory", "0");
}

beforeAll(async () => {
  admin = await openClient("node-redis", backends.direct());
});
afterEach(empty);
afterAll(async () => {
  await admin?.close();
});

describe("Redis at maxmemory", () => {
  for (const flavour of FLAVOURS) {
    it(`${flavour}: writes fail as unavailable, initialize answers 503 + Retry-After, and room brings it back`, async () => {
      const opened = await openStores(flavour, backends.direct());
      try {
        const handler = createHandler(new McpServer({ name: "full", version: "1" }), {
          stores: opened.stores,
          onError: () => {},
        });
        const key = { kind: "session", session: `full-${flavour}` };
        expect(await opened.stores.sessions.create(key, { before: true }, 60_000)).toBe(true);
        await fill();
        const refused = await opened.stores.sessions
          .create({ kind: "session", session: `full-${flavour}-2` }, { x: 1 }, 60_000)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(isStoreUnavailable(refused), String(refused)).toBe(true);
        // Reads still work: nothing already stored is lost.
        expect((await opened.stores.sessions.get(key))?.value).toStrictEqual({ before: true });
        const full = await handler.fetch(legacyPost("http://127.0.0.1/mcp", initializeBody(1)));
        expect(full.status).toBe(503);
        expect(full.headers.get("retry-after")).toBe("30");
        expect(JSON.stringify(await full.json())).not.toMatch(/OOM|maxmemory/);
        await empty();
        const back = await handler.fetch(legacyPost("http://127.0.0.1/mcp", initializeBody(1)));
        expect(back.status).toBe(200);
        await back.arrayBuffer();
        await handler.close?.();
      } finally {
        await opened.close();
      }
    });
  }
});
