/**
 * Inside workerd: `CF-Ray` is the host request id of every line and EMF document of a request, the
 * `traceparent` its trace; and with no stdout in the Workers runtime, the default sink writes JSON
 * lines through `console`.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { handle } from "@portico/adapter-workers";
import { addTool, createHandler, McpServer } from "@portico/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { observe } from "../../src/index.ts";
import { correlatedServer, deleteRequest, expectCorrelated, expectHttpCorrelated } from "../_correlated.ts";
import { modernRequest } from "../_requests.ts";
import { TRACE_ID, TRACEPARENT } from "../_server.ts";

afterEach(() => vi.restoreAllMocks());

const addCall = (headers: Record<string, string>) =>
  modernRequest(
    "tools/call",
    { name: "add", arguments: { a: 2, b: 3 } },
    headers,
    "https://observe.acct.workers.dev/mcp",
  );

async function serve(worker: ReturnType<typeof handle>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, {}, ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  return new Response(body, response);
}

describe("observe inside workerd", () => {
  it("ties the lines and the metrics of a request to its CF-Ray and trace", async () => {
    const { lines, handler, documents } = correlatedServer();
    const response = await serve(
      handle(handler),
      addCall({ "cf-ray": "8f1a2b3c4d5e6f70-AMS", traceparent: TRACEPARENT }),
    );
    expect(response.status).toBe(200);
    expectCorrelated(lines, "8f1a2b3c4d5e6f70-AMS", TRACE_ID, documents);
    const gone = await serve(
      handle(handler),
      deleteRequest(
        { "cf-ray": "8f1a2b3c4d5e6f71-AMS", traceparent: TRACEPARENT },
        "https://observe.acct.workers.dev/mcp",
      ),
    );
    expect(gone.status).toBeGreaterThanOrEqual(200);
    expectHttpCorrelated(lines, "8f1a2b3c4d5e6f71-AMS", TRACE_ID, documents);
  });

  it("writes JSON lines through console by default", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: unknown) => void logged.push(String(line)));
    const ops = observe({ service: "edge" });
    const server = new McpServer({ name: "edge", version: "1.0.0" });
    server.use(ops);
    addTool(server, "add", {}, () => "5");
    const worker = handle(createHandler(server, { onError: ops.onError }));
    expect((await serve(worker, addCall({ "cf-ray": "ray-2" }))).status).toBe(200);
    const lines = logged.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "mcp request", service: "edge", hostRequestId: "ray-2", outcome: "ok" }),
    );
  });
});
