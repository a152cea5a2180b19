/**
 * `serve()`'s `idleTimeout`: the same seconds go to `Bun.serve` (its connections' idle timeout) and
 * to `handle()` (the timeout it sets a connection back to once a plain answer is ready), and a value
 * `Bun.serve` would not take is refused before Bun sees it. In Node, with a stand-in `Bun` global
 * that records the configuration `Bun.serve` got and the timeouts set on a connection.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { BunRequestIP, BunServeConfig, BunServer } from "../src/_bun.ts";
import { serve } from "../src/index.ts";

const globals = globalThis as { Bun?: unknown };

/** Installs a stand-in `Bun`; `configs` receives what each `Bun.serve` call got. */
function standInBun(): { configs: BunServeConfig[] } {
  const configs: BunServeConfig[] = [];
  const server: BunServer = {
    port: 43210,
    hostname: "127.0.0.1",
    requestIP: () => null,
    stop: () => Promise.resolve(),
  };
  globals.Bun = {
    serve: (config: BunServeConfig) => {
      configs.push(config);
      return server;
    },
  };
  return { configs };
}

/** The idle timeouts (seconds) `config.fetch` sets on the connection of one plain request. */
async function timeoutsOfOneRequest(config: BunServeConfig): Promise<number[]> {
  const timeouts: number[] = [];
  const connection: BunRequestIP = {
    requestIP: () => null,
    timeout: (_request, seconds) => timeouts.push(seconds),
  };
  const response = await config.fetch(new Request("http://127.0.0.1/plain"), connection);
  expect(await response.text()).toBe("plain");
  return timeouts;
}

const app = { fetch: () => new Response("plain") };

afterEach(() => {
  delete globals.Bun;
});

describe("serve({ idleTimeout })", () => {
  it("gives Bun.serve the same idle timeout handle() sets back after a plain answer", async () => {
    const bun = standInBun();
    const server = await serve(app, { port: 0, idleTimeout: 60 });
    try {
      expect(bun.configs).toHaveLength(1);
      const [config] = bun.configs as [BunServeConfig];
      expect(config.idleTimeout).toBe(60);
      // Off while the app works, then back to the server's own 60 s (not the default 10).
      expect(await timeoutsOfOneRequest(config)).toStrictEqual([0, 60]);
    } finally {
      await server.close();
    }
  });

  it("leaves Bun.serve its default (10 s) when not given, and handle() sets back that", async () => {
    const bun = standInBun();
    const server = await serve(app, { port: 0 });
    try {
      const [config] = bun.configs as [BunServeConfig];
      expect("idleTimeout" in config).toBe(false);
      expect(await timeoutsOfOneRequest(config)).toStrictEqual([0, 10]);
    } finally {
      await server.close();
    }
  });

  it("refuses what Bun.serve would not take with a TypeError, before calling it", async () => {
    for (const bad of [256, 1000, -5, 1.5, Number.NaN]) {
      const bun = standInBun();
      await expect(serve(app, { port: 0, idleTimeout: bad }), String(bad)).rejects.toThrow(
        `idleTimeout must be a whole number of seconds from 0 to 255 (Bun.serve's limit), not ${String(bad)}`,
      );
      expect(bun.configs, String(bad)).toHaveLength(0);
    }
  });
});
