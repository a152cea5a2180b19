import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import type { ExecutionContextLike } from "../src/index.ts";
import { toNodeHandler, type VercelNodeHandlerOptions } from "../src/node/index.ts";

const REQUEST_CONTEXT = Symbol.for("@vercel/request-context");
const globals = globalThis as { [REQUEST_CONTEXT]?: unknown };

afterEach(() => {
  delete globals[REQUEST_CONTEXT];
});

/** Serves `app` through `toNodeHandler` for one request; resolves the response. */
async function once(
  app: { fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response> | Response },
  request: (origin: string) => Request,
  opts: VercelNodeHandlerOptions = {},
): Promise<Response> {
  const server = createServer(toNodeHandler(app, opts));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(request(`http://127.0.0.1:${port}`));
    await response.clone().arrayBuffer();
    return response;
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe("toNodeHandler (legacy signature)", () => {
  it("gives the app x-vercel-id, the deadline and waitUntil from Vercel's request context", async () => {
    const waited: Promise<unknown>[] = [];
    globals[REQUEST_CONTEXT] = { get: () => ({ waitUntil: (p: Promise<unknown>) => waited.push(p) }) };
    let seen: ExecutionContextLike | undefined;
    const before = Date.now();
    const app = {
      fetch(_request: Request, _env?: unknown, ctx?: ExecutionContextLike) {
        seen = ctx;
        ctx?.waitUntil?.(Promise.resolve("later"));
        return new Response("ok");
      },
    };
    const response = await once(
      app,
      (origin) => new Request(`${origin}/api/mcp`, { headers: { "x-vercel-id": "cdg1::abc" } }),
      { maxDuration: 30 },
    );
    expect(await response.text()).toBe("ok");
    expect(seen?.requestId).toBe("cdg1::abc");
    expect(seen?.deadline).toBeGreaterThanOrEqual(before + 30_000);
    expect(seen?.bufferedResponses).toBe(true);
    expect(waited).toHaveLength(1);
  });

  it("fires a Portico tool's signal before the function's maximum duration runs out", async () => {
    const server = new McpServer({ name: "deadline", version: "1.0.0" });
    addTool(server, "wait", { description: "Waits for its signal" }, async (_args, ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
      return (ctx.signal.reason as Error).name;
    });
    const mcp = createHandler(server, {
      deadlineMarginMs: 900,
      secret: "vercel-node-test-secret-0123456789abcdef",
    });
    const response = await once(
      mcp,
      (origin) => modernPost(`${origin}/api/mcp`, "tools/call", { name: "wait", arguments: {} }),
      { maxDuration: 1 },
    );
    expect(await response.json()).toMatchObject({ result: { content: [{ text: "TimeoutError" }] } });
    mcp.close();
  });
});
