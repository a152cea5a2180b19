/** One upstream exchange on its own: cancellation, a fetch that never answers, size limits, and what non-JSON answers become. */
import type { HandlerContext } from "@portico/core";
import { describe, expect, it, vi } from "vitest";
import { exchange, type Runtime } from "../src/http.ts";
import type { CallPlan } from "../src/request.ts";
import { toolResult } from "../src/results.ts";

const call: CallPlan = {
  method: "GET",
  base: "https://api.test",
  path: "/thing",
  args: { params: [], body: undefined },
  accept: undefined,
};
const output = { schema: undefined, wrap: undefined, mediaType: undefined };

function context(signal: AbortSignal = new AbortController().signal) {
  const warn = vi.fn();
  return { ctx: { signal, auth: undefined, logger: { warn } } as unknown as HandlerContext, warn };
}

function runtime(fetch: Runtime["fetch"], extra: Partial<Runtime> = {}): Runtime {
  return { fetch, headers: undefined, auth: undefined, timeoutMs: 5_000, maxResponseBytes: 1_000, ...extra };
}

const never = () => new Promise<Response>(() => {});

describe("exchange", () => {
  it("the MCP request's cancellation ends the call with a result saying so", async () => {
    const abort = new AbortController();
    const { ctx } = context(abort.signal);
    const pending = exchange(runtime(never), call, {}, ctx);
    abort.abort();
    expect(await pending).toEqual({ ok: false, message: "GET /thing was cancelled" });
  });

  it("a fetch that ignores the signal still times out", async () => {
    const { ctx } = context();
    expect(await exchange(runtime(never, { timeoutMs: 50 }), call, {}, ctx)).toEqual({
      ok: false,
      message: "GET /thing timed out after 50 ms",
    });
  });

  it("a body is refused by its Content-Length before it is read, and while streaming", async () => {
    const { ctx } = context();
    const declared = new Response("x".repeat(2_000), { headers: { "content-length": "2000" } });
    const streamed = new Response(
      new ReadableStream({
        pull(controller) {
          controller.enqueue(new Uint8Array(600));
        },
      }),
    );
    for (const response of [declared, streamed]) {
      const result = await exchange(
        runtime(async () => response),
        call,
        {},
        ctx,
      );
      expect(result).toEqual({
        ok: false,
        message: "The response of GET /thing is larger than 1000 bytes, the most this server reads",
      });
    }
  });

  it("a network failure is logged for the operator, not shown to the client", async () => {
    const { ctx, warn } = context();
    const result = await exchange(
      runtime(async () => {
        throw new TypeError("fetch failed: ECONNREFUSED 10.0.0.7:443");
      }),
      call,
      {},
      ctx,
    );
    expect(result).toEqual({ ok: false, message: "GET /thing failed: the API could not be reached" });
    expect(warn).toHaveBeenCalledOnce();
  });

  it("images become image content, other binary a note, text stays text", async () => {
    const { ctx } = context();
    const answer = async (body: Uint8Array<ArrayBuffer> | string, type: string) =>
      toolResult(
        await exchange(
          runtime(async () => new Response(body, { headers: { "content-type": type } })),
          call,
          {},
          ctx,
        ),
        output,
      );
    expect(await answer(new Uint8Array([137, 80, 78, 71]), "image/png")).toEqual({
      content: [{ type: "image", data: "iVBORw==", mimeType: "image/png" }],
    });
    expect(await answer(new Uint8Array(10), "application/pdf")).toEqual({
      content: [{ type: "text", text: "A application/pdf response of 10 bytes (not shown)" }],
    });
    expect(await answer("<a/>", "application/xml; charset=utf-8")).toEqual({
      content: [{ type: "text", text: "<a/>" }],
    });
    expect(await answer("{not json", "application/json")).toEqual({
      content: [{ type: "text", text: "{not json" }],
    });
    expect(await answer("[1,2]", "application/problem+json")).toEqual({
      content: [{ type: "text", text: "[1,2]" }],
      structuredContent: { result: [1, 2] },
    });
  });
});
