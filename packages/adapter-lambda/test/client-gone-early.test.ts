/**
 * streamHandle(): a client that leaves before the body's first chunk is noticed: the body is
 * cancelled (a Portico tool's signal fires) and the invocation ends.
 */
import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
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
const context = { awsRequestId: "r", getRemainingTimeInMillis: () => 60_000 };

describe("streamHandle: a client gone before the first chunk", () => {
  it("gone before the app answered: the body is cancelled without being read", async () => {
    let cancelled = false;
    let pulls = 0;
    const sink = new FakeResponseStream();
    const app = {
      fetch: async () => {
        sink.destroy();
        await idle();
        const body = new ReadableStream<Uint8Array>(
          {
            pull(c) {
              pulls++;
              c.enqueue(new TextEncoder().encode("data: x\n\n"));
            },
            cancel() {
              cancelled = true;
            },
          },
          { highWaterMark: 0 },
        );
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      },
    };
    const event = await toEvent(new Request("http://localhost/mcp", { method: "POST", body: "{}" }), "v2");
    await (streamHandle(app, { onError: () => {} }) as StreamingHandler)(event, sink, context);
    expect(cancelled).toBe(true);
    expect(pulls).toBe(0);
    expect(sink.taken).toHaveLength(0);
  });

  it("a Portico tool whose first progress comes after the client left gets its signal, and the invocation ends", async () => {
    const reasons: unknown[] = [];
    const server = new McpServer({ name: "gone", version: "1" });
    const sink = new FakeResponseStream();
    addTool(server, "slowStart", {}, async (_args, ctx) => {
      sink.destroy(); // the client leaves before anything was sent
      await idle();
      await ctx.progress(1, 2, "started");
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      reasons.push(ctx.signal.reason);
      return "stopped";
    });
    const app = createHandler(server, { onError: () => {} });
    const event = await toEvent(
      modernPost("http://localhost/mcp", "tools/call", {
        name: "slowStart",
        arguments: {},
        _meta: { progressToken: 1 },
      }),
      "v2",
    );
    const done = (streamHandle(app, { onError: () => {} }) as StreamingHandler)(event, sink, context);
    expect(
      await within(
        done.then(() => "settled"),
        3_000,
      ),
    ).toBe("settled");
    expect(reasons).toHaveLength(1);
  });
});
