import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { streamHandle, toEvent } from "../src/index.ts";
import { FakeResponseStream, idle, installFakeRuntime, type StreamingHandler } from "./_fake-runtime.ts";

// streamHandle() against a response stream shaped like the real runtime's (see _fake-runtime.ts).
installFakeRuntime();

const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 60_000 };
const URL = "http://localhost/mcp";
const encoder = new TextEncoder();
const sseHeaders = { "content-type": "text/event-stream" };

/** A pull-only source of `total` SSE events that counts how often the adapter asked for more. */
function countedSource(total: number): {
  stream: ReadableStream<Uint8Array>;
  pulls(): number;
  cancelled(): boolean;
} {
  let pulls = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        pulls++;
        if (pulls > total) controller.close();
        else controller.enqueue(encoder.encode(`data: chunk ${pulls}\n\n`));
      },
      cancel() {
        cancelled = true;
      },
    },
    // Nothing is read ahead: a pull happens only when the adapter reads.
    { highWaterMark: 0 },
  );
  return { stream, pulls: () => pulls, cancelled: () => cancelled };
}

const postEvent = () => toEvent(new Request(URL, { method: "POST", body: "{}" }), "v2");

describe("streamHandle backpressure", () => {
  it("reads the next chunk only after `drain`, and the whole body arrives in order", async () => {
    const total = 20;
    const source = countedSource(total);
    const app = { fetch: () => new Response(source.stream, { headers: sseHeaders }) };
    // A one-byte buffer and a sink that takes nothing until told: every write fills the stream.
    const sink = new FakeResponseStream({ highWaterMark: 1, holding: true });
    const done = (streamHandle(app) as StreamingHandler)(await postEvent(), sink, context);

    await idle();
    expect(sink.writableNeedDrain).toBe(true);
    expect(source.pulls()).toBe(1);
    expect(sink.taken).toHaveLength(0);

    // One drain: the sink takes the status line and chunk 1; the adapter reads chunk 2 and waits again.
    sink.drainOnce();
    await idle();
    expect(sink.received().prelude?.statusCode).toBe(200);
    expect(sink.received().body).toBe("data: chunk 1\n\n");
    expect(source.pulls()).toBe(2);
    expect(sink.writableNeedDrain).toBe(true);

    sink.drainOnce();
    await idle();
    expect(source.pulls()).toBe(3);
    expect(sink.received().body).toBe("data: chunk 1\n\ndata: chunk 2\n\n");

    sink.release();
    await done;
    // Every chunk plus the final (done) read, nothing more: the pipe never read ahead of the sink.
    expect(source.pulls()).toBe(total + 1);
    const expected = Array.from({ length: total }, (_, i) => `data: chunk ${i + 1}\n\n`).join("");
    const { prelude, body } = sink.received();
    expect(prelude).toEqual({
      statusCode: 200,
      headers: { "content-type": "text/event-stream" },
      cookies: [],
    });
    expect(body).toBe(expected);
    expect(sink.writableEnded).toBe(true);
  });

  it("a client that goes away while the stream is full ends the invocation and cancels the body", async () => {
    const source = countedSource(1_000);
    const app = { fetch: () => new Response(source.stream, { headers: sseHeaders }) };
    const sink = new FakeResponseStream({ highWaterMark: 1, holding: true });
    const done = (streamHandle(app) as StreamingHandler)(await postEvent(), sink, context);
    await idle();
    expect(source.pulls()).toBe(1);
    sink.destroy();
    await done;
    expect(source.cancelled()).toBe(true);
    expect(source.pulls()).toBeLessThanOrEqual(2);
  });
});

describe("streamHandle never buffers an SSE body", () => {
  it("the first event reaches the response stream while the tool is still running", async () => {
    let release: () => void = () => {};
    const released = new Promise<string>((resolve) => {
      release = () => resolve("released");
    });
    const server = new McpServer({ name: "lambda-stream", version: "1.0.0" });
    addTool(
      server,
      "slow",
      { description: "Reports progress, then waits for the test" },
      async (_args, ctx) => {
        await ctx.progress(1, 2, "started");
        // Bounded, so that an adapter that buffers fails this test instead of hanging it.
        const giveUp = new Promise<string>((resolve) => setTimeout(resolve, 3_000, "gave up").unref());
        return await Promise.race([released, giveUp]);
      },
    );
    const app = createHandler(server, { onError: () => {} });
    const request = modernPost(URL, "tools/call", {
      name: "slow",
      arguments: {},
      _meta: { progressToken: "p1" },
    });

    const sink = new FakeResponseStream();
    const seen: string[] = [];
    sink.on("taken", (text: string) => {
      seen.push(text);
      // The test lets the tool finish only once the progress event is out.
      if (text.includes("notifications/progress")) release();
    });
    await (streamHandle(app) as StreamingHandler)(await toEvent(request, "v2"), sink, context);

    const { prelude, body } = sink.received();
    expect(prelude?.statusCode).toBe(200);
    expect(prelude?.headers["content-type"]).toContain("text/event-stream");
    const progressAt = body.indexOf("notifications/progress");
    const resultAt = body.indexOf('"result"');
    expect(progressAt).toBeGreaterThanOrEqual(0);
    expect(resultAt).toBeGreaterThan(progressAt);
    expect(body).toContain('"text":"released"');
    // The progress event was taken by the sink in a write of its own, before the result existed.
    const progressWrite = seen.findIndex((t) => t.includes("notifications/progress"));
    const resultWrite = seen.findIndex((t) => t.includes('"result"'));
    expect(progressWrite).toBeLessThan(resultWrite);
  });
});
