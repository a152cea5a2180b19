import { describe, expect, it } from "vitest";
import { type FetchApp, handle, toEvent } from "../src/index.ts";

// handle() delivers a body whole; it must never hang on one, nor leak an error's detail.
// (A body that never ends is cut off with a 504 before the deadline: see events.test.ts.)
const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 10_000 };
const postEvent = () => toEvent(new Request("http://localhost/mcp", { method: "POST", body: "{}" }), "v2");
const encoder = new TextEncoder();

function body(chunks: string[], failAtEnd = false): ReadableStream<Uint8Array> {
  const queue = [...chunks];
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next !== undefined) controller.enqueue(encoder.encode(next));
      else if (failAtEnd) controller.error(new Error("secret detail from the body"));
      else controller.close();
    },
  });
}

async function run(app: FetchApp) {
  const errors: unknown[] = [];
  const result = await handle(app, { onError: (e) => errors.push(e) })(await postEvent(), context);
  return { result, errors };
}

describe("handle() with streamed bodies", () => {
  it("a text/event-stream body that ends is delivered whole, as text", async () => {
    const events = ["data: one\n\n", ": keep-alive\n\n", "data: two\n\n"];
    const app = {
      fetch: () => new Response(body(events), { headers: { "content-type": "text/event-stream" } }),
    };
    const { result } = await run(app);
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.body).toBe(events.join(""));
  });

  it("a body that fails part-way yields a 500 with no detail, reported to onError", async () => {
    const app = {
      fetch: () =>
        new Response(body(["data: one\n\n"], true), { headers: { "content-type": "text/event-stream" } }),
    };
    const { result, errors } = await run(app);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32603, message: "Internal error" },
    });
    expect(result.body).not.toContain("secret");
    expect((errors[0] as Error).message).toBe("secret detail from the body");
  });
});
