/**
 * `ctx.waitUntil` work that never settles does not withhold a ready answer past the invocation's
 * deadline (minus the body margin): it is abandoned then, and `onError` is told.
 */
import { describe, expect, it } from "vitest";
import { type FetchApp, handle, streamHandle, toEvent } from "../src/index.ts";
import { FakeResponseStream, installFakeRuntime, type StreamingHandler, within } from "./_fake-runtime.ts";

installFakeRuntime();
const postEvent = () => toEvent(new Request("http://localhost/mcp", { method: "POST", body: "{}" }), "v2");

const never: FetchApp = {
  fetch: (_request, _env, ctx) => {
    (ctx as { waitUntil(p: Promise<unknown>): void }).waitUntil(new Promise(() => {}));
    return new Response("answer ready");
  },
};

const contextFor = (ms: number) => {
  const started = Date.now();
  return { awsRequestId: "r", getRemainingTimeInMillis: () => ms - (Date.now() - started) };
};

describe("waitUntil work that never settles", () => {
  it("handle() answers by the deadline minus the margin and reports the abandoned work", async () => {
    const errors: unknown[] = [];
    const handler = handle(never, { onError: (e) => errors.push(e), bodyMarginMs: 500 });
    const result = await within(handler(await postEvent(), contextFor(700)), 3_000);
    expect(result).not.toBe("pending");
    expect((result as { statusCode: number; body: string }).statusCode).toBe(200);
    expect((result as { body: string }).body).toBe("answer ready");
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/waitUntil/);
  });

  it("streamHandle() settles by the deadline minus the margin and reports the abandoned work", async () => {
    const errors: unknown[] = [];
    const sink = new FakeResponseStream();
    const handler = streamHandle(never, {
      onError: (e) => errors.push(e),
      bodyMarginMs: 500,
    }) as StreamingHandler;
    const done = handler(await postEvent(), sink, contextFor(700));
    expect(
      await within(
        done.then(() => "settled"),
        3_000,
      ),
    ).toBe("settled");
    expect(sink.received().body).toBe("answer ready");
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/waitUntil/);
  });

  it("a task invocation ends by the deadline minus the margin too", async () => {
    const errors: unknown[] = [];
    const app = {
      fetch: () => new Response(""),
      runTask: async (_job: unknown, _env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }) => {
        ctx.waitUntil(new Promise(() => {}));
      },
    };
    const handler = handle(app, { onError: (e) => errors.push(e), bodyMarginMs: 500 });
    const result = await within(handler({ portico: "task", job: {} }, contextFor(700)), 3_000);
    expect((result as { statusCode: number }).statusCode).toBe(202);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/waitUntil/);
  });

  it("work that settles in time is waited for, and nothing is reported", async () => {
    const errors: unknown[] = [];
    let finished = false;
    const app: FetchApp = {
      fetch: (_request, _env, ctx) => {
        (ctx as { waitUntil(p: Promise<unknown>): void }).waitUntil(
          new Promise<void>((resolve) =>
            setTimeout(() => {
              finished = true;
              resolve();
            }, 20),
          ),
        );
        return new Response("ok");
      },
    };
    const result = await handle(app, { onError: (e) => errors.push(e) })(
      await postEvent(),
      contextFor(10_000),
    );
    expect(result.statusCode).toBe(200);
    expect(finished).toBe(true);
    expect(errors).toEqual([]);
  });
});

describe("waitUntil work added while waiting", () => {
  it("is awaited too before handle() returns", async () => {
    const order: string[] = [];
    const later = (ms: number, then: () => void) =>
      new Promise<void>((resolve) => setTimeout(() => resolve(then()), ms));
    const app: FetchApp = {
      fetch: (_request, _env, ctx) => {
        const waitUntil = (ctx as { waitUntil(p: Promise<unknown>): void }).waitUntil;
        waitUntil(
          later(20, () => {
            order.push("first");
            waitUntil(later(60, () => order.push("added while waiting")));
          }),
        );
        return new Response("ok");
      },
    };
    const errors: unknown[] = [];
    const result = await handle(app, { onError: (e) => errors.push(e) })(
      await postEvent(),
      contextFor(5_000),
    );
    order.push("returned");
    expect((result as { statusCode: number }).statusCode).toBe(200);
    expect(order).toStrictEqual(["first", "added while waiting", "returned"]);
    expect(errors).toStrictEqual([]);
  });
});
