/**
 * With keep-alive comments off (`keepAliveMs: 0`), a long-lived stream still writes a comment every
 * LONG_STREAM_PROBE_MS: a host that notices a departed client only when it writes (Workers) would
 * otherwise hold the stream, its slot and its subscriptions for ever. Answers to requests stay
 * without comments.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { LONG_STREAM_PROBE_MS } from "../src/call/long-stream.ts";
import { addTool, createHandler, McpServer } from "../src/index.ts";
import { legacySession, URL_ } from "./_client.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("a long-lived stream with keepAliveMs: 0", () => {
  it("writes a comment within LONG_STREAM_PROBE_MS", async () => {
    const server = new McpServer({ name: "probe", version: "1" });
    addTool(server, "t", {}, () => "x");
    const handler = createHandler(server, { keepAliveMs: 0 });
    const session = await legacySession(handler);
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
    const response = await handler.fetch(
      new Request(URL_, {
        method: "GET",
        headers: {
          accept: "text/event-stream",
          "mcp-session-id": session.sessionId,
          "mcp-protocol-version": "2025-11-25",
        },
      }),
    );
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = "";
    // What the stream says at once (its opening), then after one probe interval.
    const first = await reader.read();
    text += decoder.decode(first.value);
    expect(text).not.toContain(": keep-alive");
    vi.advanceTimersByTime(LONG_STREAM_PROBE_MS + 1);
    const next = await reader.read();
    text += decoder.decode(next.value);
    expect(text).toContain(": keep-alive");
    await reader.cancel();
    handler.close();
  });
});
