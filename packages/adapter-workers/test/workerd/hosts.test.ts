/**
 * The Host check inside workerd: a `*.workers.dev` host is routed by Cloudflare, so `handle()`
 * passes it as `ctx.routedHosts` and the README's Worker answers there with no configuration;
 * any other name gets the core's 403 naming it and `allowedHosts`, until it is listed.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { addTool, createHandler, type ExecutionContextLike, McpServer } from "@portico/core";
import { addAskingTool, askingCall, modernPost } from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { handle } from "../../src/index.ts";
import { invokeWorker, testEnv } from "./_fixtures.ts";
import { serveThroughWorker } from "./worker.ts";

afterEach(() => serveThroughWorker(undefined));

function createServer(): McpServer {
  const server = new McpServer({ name: "hosts", version: "1.0.0" });
  addTool(server, "add", { description: "Adds a and b" }, ({ a, b }) => String(Number(a) + Number(b)));
  return server;
}

const addCall = (origin: string) =>
  modernPost(`${origin}/mcp`, "tools/call", { name: "add", arguments: { a: 2, b: 3 } });

/** `handle(app).fetch` with a real ExecutionContext, awaited to the end. */
async function call(worker: ReturnType<typeof handle>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, testEnv, ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return new Response(body, response);
}

describe("Host names", () => {
  // The README's Worker: the handler built at module scope, no allowedHosts.
  const errors: unknown[] = [];
  const worker = handle(createHandler(createServer(), { onError: (e) => errors.push(e) }));

  it("answers 200 under my-worker.acct.workers.dev with no configuration", async () => {
    const response = await call(worker, addCall("https://my-worker.acct.workers.dev"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
  });

  it("refuses a foreign host with a 403 naming it and allowedHosts (a custom domain not listed)", async () => {
    for (const origin of [
      "https://mcp.example.com",
      "https://workers.dev",
      "https://my-worker.acct.workers.dev.evil.example.com",
      "https://evil-workers.dev",
    ]) {
      const response = await call(worker, addCall(origin));
      expect(response.status, origin).toBe(403);
      const { error } = (await response.json()) as { error: { message: string } };
      expect(error.message).toContain(JSON.stringify(new URL(origin).host));
      expect(error.message).toContain("allowedHosts");
    }
    expect(errors.map(String).join("\n")).toContain("mcp.example.com");
  });

  it("answers a custom domain once it is listed in allowedHosts", async () => {
    const listed = handle(
      createHandler(createServer(), { allowedHosts: ["mcp.example.com"], onError: () => {} }),
    );
    expect((await call(listed, addCall("https://mcp.example.com"))).status).toBe(200);
  });

  it("over a real invocation too (SELF.fetch)", async () => {
    serveThroughWorker(() => createHandler(createServer(), { onError: () => {} }));
    const routed = await invokeWorker(addCall("https://my-worker.acct.workers.dev"));
    expect(routed.status).toBe(200);
    await routed.arrayBuffer();
    const foreign = await invokeWorker(addCall("https://evil.example.com"));
    expect(foreign.status).toBe(403);
    await foreign.arrayBuffer();
  });
});

describe("ctx", () => {
  /** What the app was given. */
  const seen = async (url: string) => {
    let got: ExecutionContextLike | undefined;
    const worker = handle({
      fetch(_request: Request, _env?: unknown, ctx?: ExecutionContextLike) {
        got = ctx;
        return new Response("ok");
      },
    });
    await call(worker, new Request(url));
    return { routedHosts: got?.routedHosts ?? null, multiInstance: got?.multiInstance ?? null };
  };

  it("routes *.workers.dev hosts only, and is always multi-instance", async () => {
    expect(await seen("https://my-worker.acct.workers.dev/mcp")).toEqual({
      routedHosts: ["my-worker.acct.workers.dev"],
      multiInstance: true,
    });
    expect(await seen("https://My-Worker.Acct.Workers.Dev/mcp?x=1")).toEqual({
      routedHosts: ["my-worker.acct.workers.dev"],
      multiInstance: true,
    });
    for (const url of [
      "https://mcp.example.com/mcp",
      "https://workers.dev/",
      "https://x.workers.dev.example.com/",
      "http://127.0.0.1:8787/mcp",
    ]) {
      expect(await seen(url), url).toEqual({ routedHosts: null, multiInstance: true });
    }
  });

  it("a handler without a secret says once, when it first seals a requestState, that it needs one", async () => {
    const errors: unknown[] = [];
    const server = createServer();
    addAskingTool(server);
    const worker = handle(createHandler(server, { onError: (e) => errors.push(e) }));
    const warnings = () => errors.map(String).filter((e) => e.includes("secret"));
    for (let i = 0; i < 3; i++) {
      expect((await call(worker, addCall("https://my-worker.acct.workers.dev"))).status).toBe(200);
    }
    expect(warnings()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const response = await call(worker, askingCall("https://my-worker.acct.workers.dev/mcp"));
      expect(((await response.json()) as { result: { resultType: string } }).result.resultType).toBe(
        "input_required",
      );
    }
    expect(warnings()).toHaveLength(1);
  });
});
