import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { type FetchApp, streamHandle, toEvent } from "../src/index.ts";
import { FakeResponseStream, installFakeRuntime, type StreamingHandler } from "./_fake-runtime.ts";

// streamHandle() against a response stream shaped like the real runtime's (see _fake-runtime.ts):
// its status line goes out with the first write(), so every answer must write before it ends.
installFakeRuntime();

const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 60_000 };
const URL = "http://localhost/mcp";
const INTERNAL_ERROR = { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } };
const postEvent = () => toEvent(new Request(URL, { method: "POST", body: "{}" }), "v2");

/** Runs `app` behind streamHandle for one event; returns what the client got and what was reported. */
async function invoke(app: FetchApp, event?: unknown) {
  const errors: unknown[] = [];
  const sink = new FakeResponseStream();
  const handler = streamHandle(app, { onError: (e) => errors.push(e) }) as StreamingHandler;
  await handler(event ?? (await postEvent()), sink, context);
  return { ...sink.received(), sink, errors };
}

function failingBody(chunksFirst: string[]): ReadableStream<Uint8Array> {
  const queue = [...chunksFirst];
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = queue.shift();
        if (next === undefined) controller.error(new Error("secret detail from the body"));
        else controller.enqueue(new TextEncoder().encode(next));
      },
    },
    { highWaterMark: 0 },
  );
}

describe("streamHandle: errors before the first byte get a real status", () => {
  const throwers: [string, FetchApp][] = [
    [
      "rejects",
      {
        fetch: async () => {
          throw new Error("secret detail");
        },
      },
    ],
    [
      "throws synchronously",
      {
        fetch: () => {
          throw new Error("secret detail");
        },
      },
    ],
  ];
  for (const [how, app] of throwers) {
    it(`an app whose fetch ${how} yields a 500 with a JSON-RPC error and no detail`, async () => {
      const { prelude, body, sink, errors } = await invoke(app);
      expect(prelude?.statusCode).toBe(500);
      expect(prelude?.headers["content-type"]).toBe("application/json");
      expect(JSON.parse(body)).toEqual(INTERNAL_ERROR);
      expect(body).not.toContain("secret");
      expect(errors).toHaveLength(1);
      expect(sink.writableEnded).toBe(true);
    });
  }

  it("a body that fails before its first chunk yields a 500, not a 200 with nothing", async () => {
    const app = {
      fetch: () => new Response(failingBody([]), { headers: { "content-type": "text/event-stream" } }),
    };
    const { prelude, body, sink, errors } = await invoke(app);
    expect(prelude?.statusCode).toBe(500);
    expect(prelude?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(body)).toEqual(INTERNAL_ERROR);
    expect(body).not.toContain("secret");
    expect((errors[0] as Error).message).toBe("secret detail from the body");
    expect(sink.writableEnded).toBe(true);
  });

  it("a body that fails after its first chunk cuts the stream: no hang, no crash, reported", async () => {
    const app = {
      fetch: () =>
        new Response(failingBody(["data: one\n\n"]), {
          status: 200,
          headers: { "content-type": "text/event-stream" },
        }),
    };
    const { prelude, body, sink, errors } = await invoke(app);
    expect(prelude?.statusCode).toBe(200);
    expect(body).toBe("data: one\n\n");
    // Cut, not ended: the client sees the stream end early rather than a clean end.
    expect(sink.destroyed).toBe(true);
    expect(sink.writableFinished).toBe(false);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe("secret detail from the body");
  });
});

describe("streamHandle: every answer carries its status line", () => {
  function server() {
    const s = new McpServer({ name: "lambda-stream", version: "1.0.0" });
    addTool(s, "hello", { description: "Says hello" }, () => "hello");
    return createHandler(s, { onError: () => {} });
  }

  it("a malformed event gets a 400", async () => {
    const { prelude, body } = await invoke(server(), { version: "2.0", requestContext: { http: {} } });
    expect(prelude?.statusCode).toBe(400);
    expect(JSON.parse(body)).toMatchObject({ error: { code: -32600 } });
  });

  it("a Portico JSON answer (buffered by the core) keeps its status, headers and body", async () => {
    const request = modernPost(URL, "tools/call", { name: "hello", arguments: {} });
    const { prelude, body, sink } = await invoke(server(), await toEvent(request, "v2"));
    expect(prelude?.statusCode).toBe(200);
    expect(prelude?.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(body).result.content[0].text).toBe("hello");
    expect(sink.writableEnded).toBe(true);
  });

  it("an answer without a body (202 for a notification) and an empty stream body", async () => {
    const note = modernPost(URL, "notifications/cancelled", { requestId: 7 }, { notification: true });
    const accepted = await invoke(server(), await toEvent(note, "v2"));
    expect(accepted.body).toBe("");
    expect(accepted.prelude?.statusCode).toBe(202);

    const empty = {
      fetch: () =>
        new Response(new ReadableStream({ start: (c) => c.close() }), {
          status: 201,
          headers: { "x-kind": "empty" },
        }),
    };
    const created = await invoke(empty);
    expect(created.prelude).toMatchObject({ statusCode: 201, headers: { "x-kind": "empty" } });
    expect(created.body).toBe("");
    const none = await invoke({ fetch: () => new Response(null, { status: 204 }) });
    expect(none.prelude?.statusCode).toBe(204);
  });
});
