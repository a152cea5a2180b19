/**
 * Duration options no timer can wait: `setTimeout` given more than 2^31−1 ms (or Infinity, or NaN)
 * fires after 1 ms, so `gracefulTimeoutMs: 3e9` would make `close()` cut every response in flight
 * at once. Such values are refused when the option is given.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type FetchApp, type Server, serve, toNodeHandler } from "../src/index.ts";
import { deferred } from "./_helpers.ts";

const MAX = 2_147_483_647;
const started: Server[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

/**
 * Serves an app whose one response waits for `release`, starts a request, calls `close()`, and
 * tells what `close()` did: waited for the response, or cut it.
 */
async function closeWhileAnswering(gracefulTimeoutMs: number): Promise<string> {
  const inApp = deferred();
  const release = deferred();
  const app: FetchApp = {
    async fetch() {
      inApp.resolve();
      await release.promise;
      return new Response("finished");
    },
  };
  const server = await serve(app, { port: 0, onError: () => {}, gracefulTimeoutMs });
  started.push(server);
  const answer = fetch(server.url).then(
    (response) => response.text(),
    () => "cut",
  );
  await inApp.promise;
  let closed = false;
  const closing = server.close().then(() => {
    closed = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const waited = !closed;
  release.resolve();
  await closing;
  return `${waited ? "waited" : "did not wait"}, the client got ${JSON.stringify(await answer)}`;
}

describe("gracefulTimeoutMs", () => {
  it("refuses a value no timer can wait, naming the bound, instead of cutting responses at once", async () => {
    const outcome = await closeWhileAnswering(3e9).then(
      (what) => `accepted; close() ${what}`,
      (error: Error) => `${error.name}: ${error.message}`,
    );
    expect(outcome).toBe(
      "RangeError: gracefulTimeoutMs must be a finite number of ms from 0 to 2147483647 (about 24.8 days), got 3000000000",
    );
  });

  it("refuses Infinity, NaN, negatives and strings", async () => {
    const app: FetchApp = { fetch: () => new Response("") };
    const outcomes: string[] = [];
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, -1, "10000"]) {
      outcomes.push(
        await serve(app, { port: 0, gracefulTimeoutMs: bad as number }).then(
          (server) => {
            started.push(server);
            return `${String(bad)}: accepted`;
          },
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

  it("takes the largest delay a timer keeps: close() waits for the response in flight", async () => {
    expect(await closeWhileAnswering(MAX)).toBe('waited, the client got "finished"');
  });
});

describe("writeStallTimeoutMs", () => {
  it("names the bound in days too", () => {
    const app: FetchApp = { fetch: () => new Response("") };
    expect(() => toNodeHandler(app, { writeStallTimeoutMs: 3e9 })).toThrow(
      "writeStallTimeoutMs must be a finite number of ms from 0 (no limit) to 2147483647 (about 24.8 days), got 3000000000",
    );
    expect(() => toNodeHandler(app, { writeStallTimeoutMs: MAX })).not.toThrow();
  });
});
