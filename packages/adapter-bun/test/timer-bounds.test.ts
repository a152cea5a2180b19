/**
 * Duration options no timer can wait. `setTimeout` given more than 2^31−1 ms (or Infinity, or NaN)
 * fires after 1 ms, in Bun as in Node, so `gracefulTimeoutMs: 3e9` would make `close()` stop
 * waiting for responses in flight at once; `idleTimeout` is Bun's own, which `Bun.serve` takes up
 * to 255 s. Out-of-range values are refused when the option is given.
 *
 * These run in Node with a stand-in `Bun` global: `serve()` only needs `Bun.serve` and the
 * server's `stop()`, whose promise here settles when the test says the responses in flight are done.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { BunServer } from "../src/_bun.ts";
import { handle, serve } from "../src/index.ts";

const MAX = 2_147_483_647;
const globals = globalThis as { Bun?: unknown };

/** Installs a stand-in `Bun` whose server's `stop(false)` resolves once `finish()` is called. */
function standInBun(): { finish: () => void } {
  let finish = (): void => {};
  const drained = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const server: BunServer = {
    port: 43210,
    hostname: "127.0.0.1",
    requestIP: () => null,
    stop: (closeActiveConnections) => (closeActiveConnections === true ? Promise.resolve() : drained),
  };
  globals.Bun = { serve: () => server };
  return { finish: () => finish() };
}

afterEach(() => {
  delete globals.Bun;
});

/** What `close()` did while a response was still in flight: waited for it, or gave up at once. */
async function closeWhileAnswering(gracefulTimeoutMs: number): Promise<string> {
  const inFlight = standInBun();
  const running = await serve({ fetch: () => new Response("") }, { port: 0, gracefulTimeoutMs });
  let closed = false;
  const closing = running.close().then(() => {
    closed = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const waited = !closed;
  inFlight.finish();
  await closing;
  return waited ? "waited" : "did not wait";
}

describe("gracefulTimeoutMs", () => {
  it("refuses a value no timer can wait, naming the bound, instead of giving up at once", async () => {
    const outcome = await closeWhileAnswering(3e9).then(
      (what) => `accepted; close() ${what}`,
      (error: Error) => `${error.name}: ${error.message}`,
    );
    expect(outcome).toBe(
      "RangeError: gracefulTimeoutMs must be a finite number of ms from 0 to 2147483647 (about 24.8 days), got 3000000000",
    );
  });

  it("refuses Infinity, NaN, negatives and strings", async () => {
    const outcomes: string[] = [];
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, -1, "10000"]) {
      standInBun();
      outcomes.push(
        await serve({ fetch: () => new Response("") }, { port: 0, gracefulTimeoutMs: bad as number }).then(
          () => `${String(bad)}: accepted`,
          (error: Error) => `${String(bad)}: ${error.name}`,
        ),
      );
    }
    expect(outcomes).toEqual([
      "2147483648: RangeError",
      "Infinity: RangeError",
      "NaN: RangeError",
      "-1: RangeError",
      "10000: RangeError",
    ]);
  });

  it("takes the largest delay a timer keeps: close() waits for the responses in flight", async () => {
    expect(await closeWhileAnswering(MAX)).toBe("waited");
  });
});

describe("idleTimeout", () => {
  const app = { fetch: () => new Response("") };

  it("refuses more seconds than Bun.serve takes (255), naming the bound", () => {
    const outcome = (() => {
      try {
        handle(app, { idleTimeout: 3e9 });
        return "accepted";
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    })();
    expect(outcome).toBe(
      "TypeError: idleTimeout must be a whole number of seconds from 0 to 255 (Bun.serve's limit), not 3000000000",
    );
    for (const bad of [256, Number.POSITIVE_INFINITY, Number.NaN, -1, 1.5]) {
      expect(() => handle(app, { idleTimeout: bad })).toThrow(TypeError);
    }
  });

  it("takes 0 (no timeout) to 255", () => {
    for (const good of [0, 1, 10, 255]) expect(() => handle(app, { idleTimeout: good })).not.toThrow();
  });
});
