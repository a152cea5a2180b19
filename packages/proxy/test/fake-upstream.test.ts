/** Protocol details against a hand-written upstream: pagination, SSE, errors, skipped definitions. */
import { McpServer } from "@portico/core";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { proxy } from "../src/index.ts";
import { front, legacySession, modern } from "./_front.ts";

type Json = Record<string, any>;
type Answer = Json | { sse: Json[] } | { status: number; body?: Json };

/** A modern upstream answering `respond(method, params)`; records the requests. */
function fakeModern(respond: (method: string, params: Json) => Answer) {
  const seen: Json[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = (await request.json()) as Json;
    seen.push(body);
    const answer =
      body.method === "server/discover"
        ? { supportedVersions: ["2026-07-28"], capabilities: { tools: {}, resources: {}, prompts: {} } }
        : respond(body.method, body.params);
    if ("status" in answer && typeof answer.status === "number") {
      return new Response(
        answer.body ? JSON.stringify({ jsonrpc: "2.0", id: body.id, ...answer.body }) : "oops",
        {
          status: answer.status,
          headers: { "content-type": answer.body ? "application/json" : "text/plain" },
        },
      );
    }
    if ("sse" in answer) {
      const events = (answer.sse as Json[])
        .map((m) => `data: ${JSON.stringify(m.id === "SELF" ? { ...m, id: body.id } : m)}\r\n\r\n`)
        .join(": keep-alive\n\n");
      return new Response(`id: 1\ndata:\n\n${events}`, { headers: { "content-type": "text/event-stream" } });
    }
    const message =
      "error" in answer
        ? { jsonrpc: "2.0", id: body.id, error: answer.error }
        : { jsonrpc: "2.0", id: body.id, result: { resultType: "complete", ...answer } };
    return Response.json(message);
  };
  return { fetch: fetchFn, seen };
}

const tool = (name: string) => ({ name, inputSchema: { type: "object", properties: {} } });

describe("against a hand-written upstream", () => {
  it("lists every page of tools, following nextCursor", async () => {
    const up = fakeModern((method, params) => {
      if (method === "tools/list") {
        if (params.cursor === undefined) return { tools: [tool("a"), tool("b")], nextCursor: "p2" };
        if (params.cursor === "p2") return { tools: [tool("c")], nextCursor: "p3" };
        return { tools: [tool("d")] };
      }
      return method.endsWith("/list")
        ? {
            [method === "resources/templates/list" ? "resourceTemplates" : (method.split("/")[0] as string)]:
              [],
          }
        : {};
    });
    const f = await front("http://up.test/mcp", { fetch: up.fetch });
    expect(f.proxied.tools).toEqual(["a", "b", "c", "d"]);
    expect(f.proxied.era).toBe("modern");
  });

  it("reads an SSE answer, relays progress, and passes a JSON-RPC error on as the same McpError", async () => {
    const up = fakeModern((method, params) => {
      if (method === "tools/list") return { tools: [tool("stream"), tool("broken")] };
      if (method === "tools/call" && params.name === "stream") {
        return {
          sse: [
            {
              jsonrpc: "2.0",
              method: "notifications/progress",
              params: { progressToken: params._meta.progressToken, progress: 1, total: 2 },
            },
            {
              jsonrpc: "2.0",
              id: "SELF",
              result: { resultType: "complete", content: [{ type: "text", text: "streamed" }] },
            },
          ],
        };
      }
      if (method === "tools/call")
        return { status: 400, body: { error: { code: -32099, message: "custom", data: { why: "x" } } } };
      if (method === "resources/read")
        return { error: { code: -32602, message: "Resource not found: nope://", data: { uri: "nope://" } } };
      if (method === "resources/list") return { resources: [{ uri: "nope://", name: "nope" }] };
      return method.endsWith("/list") ? { resourceTemplates: [], prompts: [] } : {};
    });
    const f = await front("http://up.test/mcp", { fetch: up.fetch });
    const streamed = await modern(f.handler, "tools/call", { name: "stream", arguments: {} });
    expect(streamed.result.content).toEqual([{ type: "text", text: "streamed" }]);
    expect(streamed.result.resultType).toBe("complete");
    // The upstream's progress reaches a caller that asked for progress.
    const response = await f.handler.fetch(
      modernPost("http://127.0.0.1/mcp", "tools/call", {
        name: "stream",
        arguments: {},
        _meta: { progressToken: "mine" },
      }),
    );
    const messages = await readJsonRpc(response);
    expect(messages[0]).toMatchObject({
      method: "notifications/progress",
      params: { progressToken: "mine", progress: 1, total: 2 },
    });
    expect(messages.at(-1)?.result.content).toEqual([{ type: "text", text: "streamed" }]);
    const broken = await modern(f.handler, "tools/call", { name: "broken", arguments: {} });
    expect(broken.error).toEqual({ code: -32099, message: "custom", data: { why: "x" } });
    const read = await modern(f.handler, "resources/read", { uri: "nope://" });
    expect(read.error).toEqual({
      code: -32602,
      message: "Resource not found: nope://",
      data: { uri: "nope://" },
    });
    // Also through a legacy session of the front.
    const call = await legacySession(f.handler);
    expect((await call("tools/call", { name: "broken", arguments: {} })).error?.code).toBe(-32099);
  });

  it("turns an HTTP error without a JSON-RPC answer into a tool error that names only the status", async () => {
    const up = fakeModern((method) =>
      method === "tools/list"
        ? { tools: [tool("t")] }
        : method === "tools/call"
          ? { status: 502 }
          : { resources: [], resourceTemplates: [], prompts: [] },
    );
    const f = await front("http://up.test/mcp", { fetch: up.fetch });
    const answer = await modern(f.handler, "tools/call", { name: "t", arguments: {} });
    expect(answer.result).toMatchObject({
      content: [{ type: "text", text: "The upstream MCP server refused the request (HTTP 502)" }],
      isError: true,
    });
  });

  it("skips what cannot be registered and reports why", async () => {
    const up = fakeModern((method) =>
      method === "tools/list"
        ? {
            tools: [
              tool("ok"),
              { name: "bad name!", inputSchema: { type: "object" } },
              {
                name: "ref",
                inputSchema: { type: "object", properties: { x: { $ref: "#/$defs/missing" } } },
              },
            ],
          }
        : { resources: [], resourceTemplates: [], prompts: [] },
    );
    const f = await front("http://up.test/mcp", { fetch: up.fetch });
    expect(f.proxied.tools).toEqual(["ok"]);
    expect(f.proxied.skipped.map((s) => s.name)).toEqual(["bad name!", "ref"]);
  });

  it('with unvalidatedSchemas: "forward", a tool core refuses for another reason stays skipped with that reason', async () => {
    const tuple = { type: "array", items: [{ type: "number" }] };
    const up = fakeModern((method) =>
      method === "tools/list"
        ? {
            tools: [
              { name: "tuple", inputSchema: { type: "object", properties: { p: tuple } } },
              { name: "untyped", inputSchema: { properties: { p: tuple } } },
              { name: "bad name!", inputSchema: { type: "object", properties: { p: tuple } } },
            ],
          }
        : { resources: [], resourceTemplates: [], prompts: [] },
    );
    const f = await front("http://up.test/mcp", { fetch: up.fetch, unvalidatedSchemas: "forward" });
    expect(f.proxied.tools).toEqual(["tuple"]);
    expect(f.proxied.unvalidated).toEqual([
      { name: "tuple", schema: "input", reason: expect.stringContaining('"items" must be a schema') },
    ]);
    expect(f.proxied.skipped).toEqual([
      {
        kind: "tool",
        name: "untyped",
        reason: expect.stringContaining('The input schema of tool "untyped" must describe an object'),
      },
      { kind: "tool", name: "bad name!", reason: expect.stringContaining('Tool name "bad name!" must be') },
    ]);
  });

  it("registers only the families the upstream declares", async () => {
    const seen: string[] = [];
    const fetchFn: typeof fetch = async (input, init) => {
      const body = (await new Request(input, init).json()) as Json;
      seen.push(body.method);
      const result =
        body.method === "server/discover"
          ? { supportedVersions: ["2026-07-28"], capabilities: { tools: {} } }
          : { tools: [] };
      return Response.json({ jsonrpc: "2.0", id: body.id, result });
    };
    await proxy(new McpServer({ name: "x", version: "1" }), "http://up.test/mcp", { fetch: fetchFn });
    expect(seen).toEqual(["server/discover", "tools/list"]);
  });

  it("era 'modern' fails against a legacy-only upstream instead of falling back", async () => {
    const fetchFn: typeof fetch = async () =>
      Response.json(
        { jsonrpc: "2.0", id: null, error: { code: -32000, message: "No session" } },
        { status: 400 },
      );
    await expect(
      proxy(new McpServer({ name: "x", version: "1" }), "http://up.test/mcp", {
        fetch: fetchFn,
        era: "modern",
      }),
    ).rejects.toThrow("No session");
  });
});
