import { addResource, addTool, createHandler, McpServer } from "@portico/core";
import { initializeBody, legacyGet, legacyPost, readSse } from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { installAwslambda, type LambdaDevServer, serveLambda } from "../src/dev/index.ts";
import { handle, streamHandle } from "../src/index.ts";

installAwslambda();
const running: LambdaDevServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

function server() {
  const s = new McpServer({ name: "lambda-test", version: "1.0.0" });
  const seen: { reason?: unknown } = {};
  addTool(s, "wait", { description: "Waits until its signal fires" }, async (_args, ctx) => {
    await new Promise<void>((resolve) =>
      ctx.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    seen.reason = ctx.signal.reason;
    return "stopped";
  });
  addResource(s, "memo://one", { name: "memo", description: "A memo" }, () => [
    { uri: "memo://one", text: "memo" },
  ]);
  return { s, seen };
}

async function start(handler: unknown, timeoutMs: number): Promise<string> {
  const dev = await serveLambda(handler, { port: 0, kind: "v2", timeoutMs });
  running.push(dev);
  return `${dev.url}/mcp`;
}

async function initialize(url: string): Promise<string> {
  const res = await fetch(legacyPost(url, initializeBody(1)));
  await res.arrayBuffer();
  return res.headers.get("mcp-session-id") as string;
}

describe("the Lambda deadline", () => {
  it("fires the tool's signal before the invocation ends, and the client gets a clean answer", async () => {
    const { s, seen } = server();
    const app = createHandler(s, { deadlineMarginMs: 1_000, onError: () => {} });
    const url = await start(handle(app), 1_600);
    const sessionId = await initialize(url);
    const res = await fetch(
      legacyPost(
        url,
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "wait" } },
        { sessionId },
      ),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.id).toBe(2);
    expect((seen.reason as DOMException | undefined)?.name).toBe("TimeoutError");
  });

  it("ends a long-lived GET stream with a retry hint before the timeout; the client resumes on a new invocation", async () => {
    const { s } = server();
    const app = createHandler(s, { deadlineMarginMs: 1_000, retryMs: 250, onError: () => {} });
    const url = await start(streamHandle(app), 1_800);
    const sessionId = await initialize(url);
    await fetch(
      legacyPost(
        url,
        { jsonrpc: "2.0", id: 3, method: "resources/subscribe", params: { uri: "memo://one" } },
        { sessionId },
      ),
    ).then((r) => r.arrayBuffer());

    // Updates keep coming while the streams are open (whenever the subscription is in place).
    const ticker = setInterval(() => s.resourceUpdated("memo://one"), 100);
    const first = await fetch(legacyGet(url, { sessionId }));
    expect(first.headers.get("content-type")).toContain("text/event-stream");
    const events = [];
    for await (const event of readSse(first, { allBlocks: true })) events.push(event);
    // The stream ended by itself (before the 1.8 s timeout) and told the client when to come back.
    expect(events.some((e) => e.retry !== undefined)).toBe(true);
    const lastId = events.filter((e) => e.id !== undefined).at(-1)?.id;
    expect(events.some((e) => e.data.includes("notifications/resources/updated"))).toBe(true);
    expect(lastId).toBeDefined();

    const resumed = await fetch(legacyGet(url, { sessionId, lastEventId: lastId as string }));
    expect(resumed.status).toBe(200);
    const again = [];
    for await (const event of readSse(resumed, { allBlocks: true })) again.push(event);
    clearInterval(ticker);
    expect(again.some((e) => e.data.includes("notifications/resources/updated"))).toBe(true);
  });
});
