/**
 * A streamed answer's lines leave before its last event: a host may end the invocation (Lambda:
 * freeze the instance) as soon as that event is out, before the batching writer's end-of-turn
 * write. The same for a long-lived stream's `stream ended` line and its end.
 */
import { addTool, createHandler, McpServer } from "@portico/core";
import { initializeBody, legacyGet, legacyPost, modernPost, readSse } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { batchedWriter, jsonLines, observe } from "../src/index.ts";

const URL_ = "http://localhost/mcp";

/** A server whose lines go through a batching writer into `written` (one entry per write). */
function batchedServer(maxStreamMs?: number) {
  const written: string[] = [];
  const ops = observe({ sink: jsonLines(batchedWriter((chunk) => written.push(chunk))) });
  const server = new McpServer({ name: "streamed", version: "1.0.0" });
  server.use(ops);
  addTool(server, "count", {}, async (_args, ctx) => {
    await ctx.progress(1, 2, "halfway");
    return "done";
  });
  const handler = createHandler(server, {
    onError: ops.onError,
    ...(maxStreamMs === undefined ? {} : { maxStreamMs }),
  });
  const lines = () =>
    written
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string });
  return { handler, lines };
}

describe("observe: streamed answers' lines are written before their last event", () => {
  it("a tools/call that streamed progress: its request line is out when its result event arrives", async () => {
    const { handler, lines } = batchedServer();
    const response = await handler.fetch(
      modernPost(URL_, "tools/call", { name: "count", arguments: {}, _meta: { progressToken: "p" } }),
    );
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const seenAtResult: string[][] = [];
    for await (const event of readSse(response.body as ReadableStream<Uint8Array>)) {
      const message = JSON.parse(event.data) as { result?: unknown };
      // Synchronously, as the event is read: nothing has had a turn to flush since.
      if (message.result !== undefined) seenAtResult.push(lines().map((l) => l.msg));
    }
    expect(seenAtResult).toEqual([["mcp request"]]);
  });

  it("a buffered answer's line still waits for the end of the turn (one write for many)", async () => {
    const { handler, lines } = batchedServer();
    const response = await handler.fetch(modernPost(URL_, "tools/call", { name: "count", arguments: {} }));
    // Without a progress token nothing goes ahead of the result: a plain JSON answer.
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(lines()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines().map((l) => l.msg)).toEqual(["mcp request"]);
  });

  it("a legacy GET stream the server ends: its stream ended line is out when the body ends", async () => {
    const { handler, lines } = batchedServer(200);
    const init = await handler.fetch(legacyPost(URL_, initializeBody(1)));
    const session = init.headers.get("mcp-session-id") ?? "";
    const get = await handler.fetch(legacyGet(URL_, { sessionId: session, protocolVersion: "2025-11-25" }));
    expect(get.status).toBe(200);
    const reader = (get.body as ReadableStream<Uint8Array>).getReader();
    let read = await reader.read();
    while (!read.done) read = await reader.read();
    // Synchronously at the body's end (the server ended it at maxStreamMs).
    expect(lines().filter((l) => l.msg === "stream ended")).toEqual([
      expect.objectContaining({ endedBy: "server", sessionId: session }),
    ]);
  });
});
