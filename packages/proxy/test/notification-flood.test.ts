/**
 * An upstream that sends progress and log notifications during a call far faster than the caller
 * reads them: the proxy reads the upstream's answer as it comes, and keeps what waits for the
 * caller bounded — only the latest progress notification waits while one is relayed, and at most
 * `MAX_PENDING_LOGS` (1,000) log messages wait, the rest dropped — instead of queuing every one.
 */
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { afterEach, describe, expect, it, vi } from "vitest";
import { front, URL_ } from "./_front.ts";
import { waitFor } from "./_wait.ts";

type Json = Record<string, any>;

/** Progress notifications and log messages the upstream sends in its one answer. */
const PROGRESS = 6000;
const LOGS = 3000;

const encoder = new TextEncoder();

/**
 * A modern upstream whose `tools/call` answers with an SSE stream: {@link PROGRESS} progress
 * notifications and {@link LOGS} log messages, interleaved, then the result. `drained()` holds
 * once the proxy has read it all.
 */
function flooding(progressCount = PROGRESS, logCount = LOGS) {
  let drained = false;
  const fetchFn: typeof fetch = async (input, init) => {
    const body = (await new Request(input, init).json()) as Json;
    const result = (value: Json) =>
      Response.json({ jsonrpc: "2.0", id: body.id, result: { resultType: "complete", ...value } });
    if (body.method === "server/discover") {
      return result({ supportedVersions: ["2026-07-28"], capabilities: { tools: {}, logging: {} } });
    }
    if (body.method === "tools/list") {
      return result({ tools: [{ name: "busy", inputSchema: { type: "object" } }] });
    }
    const token = body.params._meta.progressToken;
    let sent = 0;
    const total = progressCount + logCount;
    /** Every `every`th message is a log message, the others progress. */
    const every = total / logCount;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === total) {
          const answer = {
            jsonrpc: "2.0",
            id: body.id,
            result: { content: [{ type: "text", text: "done" }] },
          };
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(answer)}\n\n`));
          controller.close();
          drained = true;
          return;
        }
        let chunk = "";
        for (let i = 0; i < 100 && sent < total; i++, sent++) {
          const message =
            sent % every < every - 1
              ? { method: "notifications/progress", params: { progressToken: token, progress: sent } }
              : { method: "notifications/message", params: { level: "info", data: `line ${sent}` } };
          chunk += `data: ${JSON.stringify({ jsonrpc: "2.0", ...message })}\n\n`;
        }
        controller.enqueue(encoder.encode(chunk));
      },
    });
    return new Response(stream, { headers: { "content-type": "text/event-stream" } });
  };
  return { fetch: fetchFn, drained: () => drained };
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** `tools/call busy` with a progress token, asking for every log message. */
const busyCall = () =>
  modernPost(
    URL_,
    "tools/call",
    { name: "busy", arguments: {}, _meta: { progressToken: "p" } },
    { logLevel: "debug" },
  );

describe("an upstream flooding a call with notifications", () => {
  it("relays a bounded number of them to a caller that reads only after the upstream is done", async () => {
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: unknown) => void warnings.push(String(line)));
    const up = flooding();
    const f = await front("http://up.test/mcp", { fetch: up.fetch, follow: false });
    try {
      const response = await f.handler.fetch(busyCall());
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      // The caller reads nothing until the proxy has read the upstream's whole answer.
      await waitFor("the proxy to read the upstream's whole answer", up.drained);
      const messages = await readJsonRpc(response, { timeoutMs: 5000 });
      const progress = messages.filter((m) => m.method === "notifications/progress");
      const logs = messages.filter((m) => m.method === "notifications/message");
      expect(messages.at(-1)?.result).toMatchObject({ content: [{ type: "text", text: "done" }] });
      // Some of each got through, in order, but far from all of them.
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.length).toBeLessThan(PROGRESS / 2);
      const values = progress.map((m) => m.params.progress as number);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(logs.length).toBeGreaterThan(0);
      expect(logs.length).toBeLessThan(LOGS);
      // The operator is told (once) that log messages were dropped.
      expect(warnings.filter((line) => line.includes("log messages dropped"))).toHaveLength(1);
    } finally {
      await f.proxied.close();
    }
  });

  it("relays every log message when no more than 1,000 wait, however slow the caller", async () => {
    const up = flooding(2000, 1000);
    const f = await front("http://up.test/mcp", { fetch: up.fetch, follow: false });
    try {
      const response = await f.handler.fetch(busyCall());
      await waitFor("the proxy to read the upstream's whole answer", up.drained);
      const messages = await readJsonRpc(response, { timeoutMs: 5000 });
      expect(messages.at(-1)?.result).toMatchObject({ content: [{ type: "text", text: "done" }] });
      const logs = messages.filter((m) => m.method === "notifications/message");
      expect(logs.map((m) => m.params.data)).toEqual(
        Array.from({ length: 1000 }, (_, i) => `line ${3 * i + 2}`),
      );
    } finally {
      await f.proxied.close();
    }
  });
});
