/**
 * Durations no timer can wait. `setTimeout` given more than 2^31−1 ms (or Infinity, or NaN) fires
 * after 1 ms, so a margin or timeout out of that range would turn "wait until the deadline" into
 * "give up at once". Options out of range are refused when given; a deadline that is valid but
 * farther away than a timer can wait (a stand-in context, a long dev timeout) arms no timer.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type LambdaDevServer, serveLambda } from "../src/dev/index.ts";
import { type FetchApp, handle, invokeSelf, streamHandle, toEvent } from "../src/index.ts";
import { FakeResponseStream, installFakeRuntime, type StreamingHandler } from "./_fake-runtime.ts";

installFakeRuntime();
const MAX = 2_147_483_647;
const encoder = new TextEncoder();
const postEvent = () => toEvent(new Request("http://localhost/mcp", { method: "POST", body: "{}" }), "v2");

/** A Lambda context whose invocation ends `ms` from now. */
const contextFor = (ms: number) => {
  const started = Date.now();
  return { awsRequestId: "r", getRemainingTimeInMillis: () => ms - (Date.now() - started) };
};

/** An app whose body ends 50 ms after it starts; its `waitUntil` work settles 50 ms later. */
const slowBody: FetchApp = {
  fetch(_request, _env, ctx) {
    (ctx as { waitUntil(p: Promise<unknown>): void }).waitUntil(
      new Promise((resolve) => setTimeout(resolve, 100)),
    );
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        controller.enqueue(encoder.encode("done"));
        controller.close();
      },
    });
    return new Response(body, { headers: { "content-type": "text/plain" } });
  },
};

/** `make()`'s result, or the error it threw as `Name: message`. */
function outcomeOf(make: () => unknown, accepted: (made: unknown) => Promise<string> | string) {
  let made: unknown;
  try {
    made = make();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  return accepted(made);
}

describe("bodyMarginMs", () => {
  it("refuses a margin no timer can wait, instead of answering 504 at once", async () => {
    const outcome = await outcomeOf(
      () => handle(slowBody, { bodyMarginMs: -3e9, onError: () => {} }),
      async (handler) => {
        const result = await (handler as ReturnType<typeof handle>)(await postEvent(), contextFor(10_000));
        return `accepted; the body that ends in 50 ms got ${result.statusCode}`;
      },
    );
    expect(outcome).toBe(
      "RangeError: bodyMarginMs must be a finite number of ms from 0 to 2147483647 (about 24.8 days), got -3000000000",
    );
  });

  it("refuses Infinity, NaN, negatives and strings, in both handlers", () => {
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, -1, "500"]) {
      const options = { bodyMarginMs: bad as number };
      expect(() => handle(slowBody, options), String(bad)).toThrow(RangeError);
      expect(() => streamHandle(slowBody, options), String(bad)).toThrow(RangeError);
    }
    for (const good of [0, 500, MAX]) {
      expect(() => handle(slowBody, { bodyMarginMs: good })).not.toThrow();
      expect(() => streamHandle(slowBody, { bodyMarginMs: good })).not.toThrow();
    }
  });
});

describe("a deadline farther away than a timer can wait", () => {
  it("handle(): the body and the waitUntil work are waited for, not given up at once", async () => {
    const errors: unknown[] = [];
    const result = await handle(slowBody, { onError: (e) => errors.push(e) })(
      await postEvent(),
      contextFor(3e9),
    );
    expect(`${result.statusCode} ${result.body}`).toBe("200 done");
    expect(errors.map(String)).toEqual([]);
  });

  it("streamHandle(): a client that reads late is not cut, the waitUntil work is waited for", async () => {
    const errors: unknown[] = [];
    const sink = new FakeResponseStream({ highWaterMark: 16, holding: true });
    const chunks: FetchApp = {
      fetch(_request, _env, ctx) {
        (ctx as { waitUntil(p: Promise<unknown>): void }).waitUntil(
          new Promise((resolve) => setTimeout(resolve, 100)),
        );
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const part of ["data: one\n\n", "data: two\n\n", "data: three\n\n"]) {
              controller.enqueue(encoder.encode(part));
            }
            controller.close();
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      },
    };
    const handler = streamHandle(chunks, { onError: (e) => errors.push(e) }) as StreamingHandler;
    const done = handler(await postEvent(), sink, contextFor(3e9));
    // The client takes nothing for a while (the stream is full), then reads everything.
    await new Promise((resolve) => setTimeout(resolve, 100));
    sink.release();
    await done;
    expect(sink.received().body).toBe("data: one\n\ndata: two\n\ndata: three\n\n");
    expect(errors.map(String)).toEqual([]);
  });
});

describe("serveLambda timeoutMs", () => {
  const running: LambdaDevServer[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
  });
  const handler = async () => ({ statusCode: 200, body: "ok" });

  it("refuses a function timeout no timer can wait, naming the bound", async () => {
    const outcomes: string[] = [];
    for (const bad of [3e9, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "30000"]) {
      outcomes.push(
        await serveLambda(handler, { port: 0, timeoutMs: bad as number }).then(
          (server) => {
            running.push(server);
            return `${String(bad)}: accepted`;
          },
          (error: Error) => `${String(bad)}: ${error.name}: ${error.message}`,
        ),
      );
    }
    const bound = "must be a finite number of ms from 1 to 2147483647 (about 24.8 days)";
    expect(outcomes).toEqual([
      `3000000000: RangeError: serveLambda: timeoutMs ${bound}, got 3000000000`,
      `Infinity: RangeError: serveLambda: timeoutMs ${bound}, got Infinity`,
      `NaN: RangeError: serveLambda: timeoutMs ${bound}, got NaN`,
      `0: RangeError: serveLambda: timeoutMs ${bound}, got 0`,
      `-1: RangeError: serveLambda: timeoutMs ${bound}, got -1`,
      `30000: RangeError: serveLambda: timeoutMs ${bound}, got 30000`,
    ]);
  });

  it("takes the largest timeout a timer keeps", async () => {
    const server = await serveLambda(handler, { port: 0, timeoutMs: MAX });
    running.push(server);
    expect(await (await fetch(`${server.url}/mcp`)).text()).toBe("ok");
  });
});

describe("invokeSelf timeoutMs", () => {
  it("refuses a timeout no timer can wait when the dispatch is made, not at its first task", () => {
    const outcome = outcomeOf(
      () => invokeSelf({ timeoutMs: 3e9 }),
      () => "accepted",
    );
    expect(outcome).toBe(
      "RangeError: invokeSelf: timeoutMs must be a finite number of ms from 1 to 2147483647 (about 24.8 days), got 3000000000",
    );
    for (const bad of [Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "10000"]) {
      expect(() => invokeSelf({ timeoutMs: bad as number }), String(bad)).toThrow(RangeError);
    }
    expect(() => invokeSelf({ timeoutMs: MAX })).not.toThrow();
  });
});
