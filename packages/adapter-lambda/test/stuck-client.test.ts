/**
 * streamHandle(): a client that stops reading (the response stream stays full, never drains, never
 * closes) does not hold the invocation past its deadline, and a body that fails meanwhile is noticed.
 */
import { describe, expect, it } from "vitest";
import { streamHandle, toEvent } from "../src/index.ts";
import {
  FakeResponseStream,
  idle,
  installFakeRuntime,
  type StreamingHandler,
  within,
} from "./_fake-runtime.ts";

installFakeRuntime();
const encoder = new TextEncoder();
const sseHeaders = { "content-type": "text/event-stream" };
const postEvent = () => toEvent(new Request("http://localhost/mcp", { method: "POST", body: "{}" }), "v2");

/** An endless SSE body that records its cancellation; `fail()` errors it. */
function endlessBody() {
  let cancelled = false;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull(c) {
        c.enqueue(encoder.encode("data: x\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    cancelled: () => cancelled,
    fail: (error: Error) => controller?.error(error),
  };
}

describe("streamHandle: a client that stops reading", () => {
  it("the stream is cut at the deadline minus the body margin; the body is cancelled; onError is told", async () => {
    const body = endlessBody();
    const app = { fetch: () => new Response(body.stream, { headers: sseHeaders }) };
    const sink = new FakeResponseStream({ highWaterMark: 1, holding: true });
    const errors: unknown[] = [];
    const started = Date.now();
    const context = { awsRequestId: "r", getRemainingTimeInMillis: () => 700 - (Date.now() - started) };
    const handler = streamHandle(app, {
      onError: (e) => errors.push(e),
      bodyMarginMs: 500,
    }) as StreamingHandler;
    const done = handler(await postEvent(), sink, context);
    expect(
      await within(
        done.then(() => "settled"),
        3_000,
      ),
    ).toBe("settled");
    expect(sink.destroyed).toBe(true);
    expect(body.cancelled()).toBe(true);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/deadline/);
  });

  it("a body that fails while the stream is full ends the invocation at once, the stream cut", async () => {
    const body = endlessBody();
    const app = { fetch: () => new Response(body.stream, { headers: sseHeaders }) };
    const sink = new FakeResponseStream({ highWaterMark: 1, holding: true });
    const errors: unknown[] = [];
    const context = { awsRequestId: "r", getRemainingTimeInMillis: () => 60_000 };
    const handler = streamHandle(app, { onError: (e) => errors.push(e) }) as StreamingHandler;
    const done = handler(await postEvent(), sink, context);
    await idle();
    expect(sink.writableNeedDrain).toBe(true);
    body.fail(new Error("The client stopped reading the stream"));
    expect(
      await within(
        done.then(() => "settled"),
        3_000,
      ),
    ).toBe("settled");
    expect(sink.destroyed).toBe(true);
    expect(errors.map(String)).toEqual(["Error: The client stopped reading the stream"]);
  });
});
