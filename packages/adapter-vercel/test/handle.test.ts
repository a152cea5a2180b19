import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { type ExecutionContextLike, handle } from "../src/index.ts";

const REQUEST_CONTEXT = Symbol.for("@vercel/request-context");
const globals = globalThis as { [REQUEST_CONTEXT]?: unknown };

/** An app that records the `ctx` it was called with. */
function recorder() {
  const seen: ExecutionContextLike[] = [];
  const app = {
    fetch(_request: Request, _env?: unknown, ctx?: ExecutionContextLike) {
      if (ctx) seen.push(ctx);
      ctx?.waitUntil?.(Promise.resolve("background work"));
      return new Response("ok");
    },
  };
  return { app, seen };
}

afterEach(() => {
  delete globals[REQUEST_CONTEXT];
});

describe("handle", () => {
  it("exports one handler for GET, POST, DELETE, OPTIONS and fetch", () => {
    const handlers = handle(recorder().app);
    expect(Object.keys(handlers).sort()).toEqual(["DELETE", "GET", "OPTIONS", "POST", "fetch"]);
    expect(new Set(Object.values(handlers)).size).toBe(1);
  });

  it("passes the request and env through and returns the app's response as is", async () => {
    let got: [Request, unknown] | undefined;
    const body = new ReadableStream({ start: (c) => c.close() });
    const response = new Response(body, { status: 201, headers: { "x-app": "1" } });
    const { POST } = handle(
      {
        fetch(request: Request, env?: unknown) {
          got = [request, env];
          return response;
        },
      },
      { env: { answer: 42 } },
    );
    const request = new Request("http://127.0.0.1/api/mcp", { method: "POST", body: "{}" });
    expect(await POST(request)).toBe(response);
    expect(got).toEqual([request, { answer: 42 }]);
  });

  it("takes waitUntil from the handler's second argument (Edge, Node FetchEvent)", async () => {
    const { app } = recorder();
    const waited: Promise<unknown>[] = [];
    globals[REQUEST_CONTEXT] = { get: () => ({ waitUntil: () => expect.fail("not the request context") }) };
    await handle(app).GET(new Request("http://127.0.0.1/"), { waitUntil: (p) => waited.push(p) });
    expect(waited).toHaveLength(1);
    await expect(waited[0]).resolves.toBe("background work");
  });

  it("else from Vercel's request context, where @vercel/functions reads it", async () => {
    const { app } = recorder();
    const waited: Promise<unknown>[] = [];
    globals[REQUEST_CONTEXT] = { get: () => ({ waitUntil: (p: Promise<unknown>) => waited.push(p) }) };
    await handle(app).fetch(new Request("http://127.0.0.1/"));
    expect(waited).toHaveLength(1);
  });

  it("reports a rejected waitUntil promise to onError, also without a host", async () => {
    const errors: unknown[] = [];
    const { POST } = handle(
      {
        fetch(_request: Request, _env?: unknown, ctx?: ExecutionContextLike) {
          ctx?.waitUntil?.(Promise.reject(new Error("late failure")));
          return new Response(null, { status: 202 });
        },
      },
      { onError: (e) => errors.push(e) },
    );
    expect((await POST(new Request("http://127.0.0.1/", { method: "POST" }))).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(String(errors[0])).toContain("late failure");
  });

  it("sets requestId from x-vercel-id and a deadline from maxDuration", async () => {
    const { app, seen } = recorder();
    const before = Date.now();
    await handle(app, { maxDuration: 60 }).GET(
      new Request("http://127.0.0.1/", { headers: { "x-vercel-id": "fra1::iad1::abc-123" } }),
    );
    const after = Date.now();
    expect(seen[0]?.requestId).toBe("fra1::iad1::abc-123");
    expect(seen[0]?.deadline).toBeGreaterThanOrEqual(before + 60_000);
    expect(seen[0]?.deadline).toBeLessThanOrEqual(after + 60_000);
    await handle(app).GET(new Request("http://127.0.0.1/", { headers: { "x-vercel-id": "bad id" } }));
    expect(seen[1]?.requestId).toBeUndefined();
    expect(seen[1]?.deadline).toBeUndefined();
  });

  it("answers an app that throws or returns no Response with a 500 JSON-RPC error, no detail", async () => {
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    const throwing = handle(
      {
        fetch() {
          throw new Error("secret detail");
        },
      },
      { onError },
    );
    const bogus = handle({ fetch: () => "not a response" as unknown as Response }, { onError });
    for (const handler of [throwing.POST, bogus.POST]) {
      const response = await handler(new Request("http://127.0.0.1/", { method: "POST" }));
      expect(response.status).toBe(500);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32603, message: "Internal error" },
      });
      expect(text).not.toContain("secret");
    }
    expect(errors).toHaveLength(2);
  });

  it("fires a Portico tool's signal before the function's maximum duration runs out", async () => {
    const server = new McpServer({ name: "deadline", version: "1.0.0" });
    let reason: unknown;
    addTool(server, "wait", { description: "Waits for its signal" }, async (_args, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
      reason = ctx.signal.reason;
      return "stopped";
    });
    const mcp = createHandler(server, {
      deadlineMarginMs: 900,
      secret: "vercel-handle-test-secret-0123456789abcdef",
    });
    // maxDuration 1 s, margin 0.9 s: the signal fires about 0.1 s in.
    const { POST } = handle(mcp, { maxDuration: 1 });
    const response = await POST(
      modernPost("http://127.0.0.1/mcp", "tools/call", { name: "wait", arguments: {} }),
    );
    expect(await response.json()).toMatchObject({ result: { content: [{ text: "stopped" }] } });
    expect((reason as Error).name).toBe("TimeoutError");
    mcp.close();
  });
});
