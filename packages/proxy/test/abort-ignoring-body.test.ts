/**
 * A `fetch` option whose response body does not end when the request's signal aborts (an
 * in-process app, a wrapper that copies the body): the call still ends at `timeoutMs`, as with the
 * global `fetch`, and the body is cancelled. The answer is an SSE stream that only sends keep-alive
 * comments, or a JSON body that never ends.
 */
import { describe, expect, it } from "vitest";
import { front, legacyResult, modern } from "./_front.ts";

type Json = Record<string, any>;

const encoder = new TextEncoder();

/** A body that sends `chunk` every 20 ms until it is cancelled; the request's signal is ignored. */
function endless(first: string, chunk: string, state: { cancelled: number }): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setInterval> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(first));
      timer = setInterval(() => controller.enqueue(encoder.encode(chunk)), 20);
    },
    cancel() {
      clearInterval(timer);
      state.cancelled++;
    },
  });
}

function upstream(state: { cancelled: number }): typeof fetch {
  return async (input, init) => {
    const body = (await new Request(input, init).json()) as Json;
    const result = (value: Json) =>
      Response.json({ jsonrpc: "2.0", id: body.id, result: { resultType: "complete", ...value } });
    if (body.method === "server/discover") {
      return result({ supportedVersions: ["2026-07-28"], capabilities: { tools: {} } });
    }
    if (body.method === "tools/list") {
      return result({ tools: ["sse", "drip"].map((name) => ({ name, inputSchema: { type: "object" } })) });
    }
    if (body.params.name === "sse") {
      return new Response(endless("", ": keep-alive\n\n", state), {
        headers: { "content-type": "text/event-stream" },
      });
    }
    const start = `{"jsonrpc":"2.0","id":${body.id},"result":{"content":[{"type":"text","text":"`;
    return new Response(endless(start, "x", state), { headers: { "content-type": "application/json" } });
  };
}

describe("a fetch whose body ignores the request's abort", () => {
  for (const tool of ["sse", "drip"]) {
    it(`ends a call answered by an endless ${tool === "sse" ? "SSE stream" : "JSON body"} at timeoutMs`, async () => {
      const state = { cancelled: 0 };
      const f = await front("http://up.test/mcp", { fetch: upstream(state), follow: false, timeoutMs: 200 });
      try {
        const reply = await Promise.race([
          modern(f.handler, "tools/call", { name: tool, arguments: {} }),
          new Promise<undefined>((resolve) => setTimeout(resolve, 3000, undefined)),
        ]);
        expect(reply?.result).toMatchObject({
          isError: true,
          content: [{ type: "text", text: "The upstream MCP server did not answer in time" }],
        });
        // The body was cancelled, not left running.
        expect(state.cancelled).toBe(1);
      } finally {
        await f.proxied.close();
      }
    });
  }
});

describe("a legacy upstream whose initialize answer never ends and ignores abort", () => {
  it("fails proxy() at timeoutMs instead of waiting forever", async () => {
    const state = { cancelled: 0 };
    const legacy: typeof fetch = async (input, init) => {
      const body = (await new Request(input, init).json()) as Json;
      if (body.method === "initialize") {
        return new Response(endless("", ": keep-alive\n\n", state), {
          headers: { "content-type": "text/event-stream", "mcp-session-id": "s1" },
        });
      }
      return new Response(null, { status: 400 });
    };
    const outcome = await Promise.race([
      front("http://up.test/mcp", { fetch: legacy, follow: false, timeoutMs: 200, era: "legacy" }).then(
        () => "registered",
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      new Promise<string>((resolve) => setTimeout(resolve, 3000, "still waiting")),
    ]);
    expect(outcome).not.toBe("still waiting");
    expect(outcome).not.toBe("registered");
    expect(state.cancelled).toBe(1);
  });
});

describe("a legacy upstream's GET stream through a fetch whose body ignores abort", () => {
  it("close() ends the follow stream (its body cancelled) instead of waiting for ever", async () => {
    const state = { cancelled: 0 };
    const legacy: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === "GET") {
        return new Response(endless("", ": keep-alive\n\n", state), {
          headers: { "content-type": "text/event-stream" },
        });
      }
      if (request.method === "DELETE") return new Response(null, { status: 200 });
      const body = (await request.json()) as Json;
      if (body.id === undefined) return new Response(null, { status: 202 });
      const result = legacyResult(body.method);
      return Response.json({ jsonrpc: "2.0", id: body.id, result }, { headers: { "mcp-session-id": "s1" } });
    };
    const f = await front("http://up.test/mcp", { fetch: legacy, era: "legacy", timeoutMs: 2000 });
    await new Promise((resolve) => setTimeout(resolve, 150)); // the GET stream is open
    const outcome = await Promise.race([
      f.proxied.close().then(() => "closed"),
      new Promise<string>((resolve) => setTimeout(resolve, 3000, "still waiting")),
    ]);
    expect(outcome).toBe("closed");
    expect(state.cancelled).toBeGreaterThanOrEqual(1);
  });
});
