/**
 * A legacy session's standalone (GET) streams: a notification goes out on one stream only — the
 * newest, whichever opened last — never on each (2025-11-25 transports, Multiple Connections); and
 * a resumed stream writes what its client missed before its own priming event, so the ids the
 * client sees only grow and resuming again never skips a missed event.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, type McpHandler, McpServer, memoryStores } from "../src/index.ts";
import { legacySession, URL_ } from "./_client.ts";

interface SseEvent {
  id?: string;
  data: string;
}

/** Reads a stream's SSE events as they come (until `stop`). */
function events(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>)
    .pipeThrough(new TextDecoderStream())
    .getReader();
  const seen: SseEvent[] = [];
  let buffer = "";
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { data: "" };
        for (const line of block.split("\n")) {
          if (line.startsWith("id: ")) event.id = line.slice(4);
          else if (line.startsWith("data: ")) event.data += line.slice(6);
        }
        if (event.id !== undefined || event.data !== "") seen.push(event);
      }
    }
  })();
  return { seen, stop: () => reader.cancel().catch(() => {}) };
}

const notifications = (seen: SseEvent[]) =>
  seen.filter((e) => e.data !== "").map((e) => JSON.parse(e.data).method);

function get(handler: McpHandler, session: string, lastEventId?: string) {
  return handler.fetch(
    new Request(URL_, {
      headers: {
        accept: "text/event-stream",
        "mcp-session-id": session,
        "mcp-protocol-version": "2025-11-25",
        ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
      },
    }),
  );
}

describe("a legacy session's standalone streams", () => {
  it("carry each notification once: on the newest stream, not on every stream", async () => {
    const server = new McpServer({ name: "g", version: "1" });
    addTool(server, "a", {}, () => "a");
    const handler = createHandler(server, { keepAliveMs: 0 });
    const { sessionId } = await legacySession(handler);
    const first = events(await get(handler, sessionId));
    await expect.poll(() => first.seen.length).toBe(1); // its priming event
    const second = events(await get(handler, sessionId));
    await expect.poll(() => second.seen.length).toBe(1);
    addTool(server, "b", {}, () => "b");
    await expect.poll(() => notifications(second.seen)).toStrictEqual(["notifications/tools/list_changed"]);
    addTool(server, "c", {}, () => "c");
    await expect.poll(() => notifications(second.seen).length).toBe(2);
    expect(notifications(first.seen)).toStrictEqual([]);
    await first.stop();
    await second.stop();
  });

  it("resumed, write the missed events ahead of their new priming event (ids only grow)", async () => {
    const server = new McpServer({ name: "g", version: "1" });
    addTool(server, "a", {}, () => "a");
    const handler = createHandler(server, { keepAliveMs: 0 });
    const { sessionId } = await legacySession(handler);
    const first = events(await get(handler, sessionId));
    await expect.poll(() => first.seen.length).toBe(1);
    const priming = first.seen[0]?.id as string;
    // The client's connection died after the priming event; two notifications it never got.
    addTool(server, "b", {}, () => "b");
    addTool(server, "c", {}, () => "c");
    await expect.poll(() => first.seen.length).toBe(3);
    await first.stop();
    const missed = first.seen.slice(1).map((e) => e.id);
    const resumed = events(await get(handler, sessionId, priming));
    await expect.poll(() => resumed.seen.length).toBe(3);
    expect(resumed.seen.map((e) => e.id)).toStrictEqual([...missed, expect.any(String)]);
    expect(resumed.seen[2]?.data).toBe(""); // the new priming event, last
    const position = (id: string | undefined) => Number(id?.slice(id.lastIndexOf("/") + 1));
    const ids = resumed.seen.map((e) => position(e.id));
    expect(ids).toStrictEqual([...ids].sort((x, y) => x - y));
    await resumed.stop();
  });
});

describe("two handlers of one server over the same stores", () => {
  it("publish each definition change once (not once per handler), and the second still publishes once the first is closed", async () => {
    const server = new McpServer({ name: "g", version: "1" });
    addTool(server, "a", {}, () => "a");
    const stores = memoryStores();
    const first = createHandler(server, { stores, keepAliveMs: 0 });
    const second = createHandler(server, { stores, keepAliveMs: 0 });
    const heard: unknown[] = [];
    await stores.bus.subscribe({ kind: "broadcast" }, (event) => heard.push(event));
    addTool(server, "b", {}, () => "b");
    await expect.poll(() => heard.length).toBe(1);
    first.close();
    addTool(server, "c", {}, () => "c");
    await expect.poll(() => heard.length).toBe(2);
    second.close();
    addTool(server, "d", {}, () => "d");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(heard).toHaveLength(2);
  });
});
