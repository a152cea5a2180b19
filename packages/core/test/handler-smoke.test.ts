import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer } from "../src/index.ts";

const URL_ = "http://127.0.0.1:3000/mcp";
const H = { "content-type": "application/json", accept: "application/json, text/event-stream" };

function server() {
  const s = new McpServer({ name: "t", version: "1.0.0" });
  addTool(s, "add", { description: "Add", input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) =>
    String(a + b),
  );
  addTool(s, "ask", { description: "Ask" }, async (_a, ctx) => {
    const r = await ctx.elicit({
      message: "name?",
      requestedSchema: { type: "object", properties: { n: { type: "string" } } },
    });
    return `got ${JSON.stringify(r.content)}`;
  });
  addTool(s, "prog", { description: "Progress" }, async (_a, ctx) => {
    await ctx.progress(1, 2);
    return "done";
  });
  return s;
}

async function post(
  h: ReturnType<typeof createHandler>,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return h.fetch(
    new Request(URL_, { method: "POST", headers: { ...H, ...headers }, body: JSON.stringify(body) }),
  );
}

function modern(method: string, params: Record<string, unknown> = {}, id = 1) {
  return {
    body: {
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
        },
      },
    },
    headers: {
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
    } as Record<string, string>,
  };
}

describe("handler smoke", () => {
  it("legacy initialize + tools/call JSON", async () => {
    const h = createHandler(server());
    const init = await post(h, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
    });
    expect(init.status).toBe(200);
    const sid = init.headers.get("mcp-session-id")!;
    expect(sid).toBeTruthy();
    const call = await post(
      h,
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 2 } } },
      { "mcp-session-id": sid },
    );
    expect(call.headers.get("content-type")).toContain("application/json");
    expect(await call.json()).toMatchObject({ id: 2, result: { content: [{ type: "text", text: "3" }] } });
    const prog = await post(
      h,
      {
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "prog", _meta: { progressToken: "p" } },
      },
      { "mcp-session-id": sid },
    );
    expect(prog.headers.get("content-type")).toContain("text/event-stream");
    const text = await prog.text();
    expect(text).toContain("notifications/progress");
    expect(text).toContain('"done"');
  });

  it("modern tools/call and MRTR", async () => {
    const h = createHandler(server());
    const a = modern("tools/call", { name: "add", arguments: { a: 2, b: 2 } });
    const res = await post(h, a.body, a.headers);
    const json = await res.json();
    expect(json).toMatchObject({ result: { resultType: "complete", content: [{ text: "4" }] } });
    const q = modern("tools/call", { name: "ask", arguments: {} });
    const first = await (await post(h, q.body, q.headers)).json();
    expect(first.result.resultType).toBe("input_required");
    const [key] = Object.keys(first.result.inputRequests);
    const retry = modern(
      "tools/call",
      {
        name: "ask",
        arguments: {},
        requestState: first.result.requestState,
        inputResponses: { [key!]: { action: "accept", content: { n: "x" } } },
      },
      2,
    );
    const second = await (await post(h, retry.body, retry.headers)).json();
    expect(second.result).toMatchObject({ resultType: "complete", content: [{ text: 'got {"n":"x"}' }] });
  });
});

describe("legacy GET stream resume", () => {
  it("replays missed notifications of the standalone stream after Last-Event-ID", async () => {
    const s = server();
    const h = createHandler(s, { keepAliveMs: 0 });
    const init = await post(h, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
    });
    const sid = init.headers.get("mcp-session-id")!;
    const get = () =>
      h.fetch(new Request(URL_, { headers: { accept: "text/event-stream", "mcp-session-id": sid } }));
    const first = await get();
    const reader = first.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) text += decoder.decode((await reader.read()).value);
    const primingId = /id: (\S+)/.exec(text)![1]!;
    // A change is stored on the stream while the client is not reading, then the client drops...
    addTool(s, "late", { description: "Late tool" }, () => "late");
    await new Promise((r) => setTimeout(r, 20));
    await reader.cancel();
    // ...and resumes after the priming event: the stored notification is replayed.
    const resumed = await h.fetch(
      new Request(URL_, {
        headers: { accept: "text/event-stream", "mcp-session-id": sid, "last-event-id": primingId },
      }),
    );
    const r2 = resumed.body!.getReader();
    let replay = "";
    while (!replay.includes("tools/list_changed")) replay += decoder.decode((await r2.read()).value);
    await r2.cancel();
    expect(replay).toContain("notifications/tools/list_changed");
  });
});

describe("legacy 2025-03-26 batches", () => {
  async function session(h: ReturnType<typeof createHandler>, protocolVersion: string) {
    const init = await post(h, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion, capabilities: {}, clientInfo: { name: "c", version: "1" } },
    });
    return init.headers.get("mcp-session-id")!;
  }

  it("answers a batch of requests and notifications with one JSON array", async () => {
    const h = createHandler(server());
    const sid = await session(h, "2025-03-26");
    const res = await post(
      h,
      [
        { jsonrpc: "2.0", method: "notifications/initialized" },
        { jsonrpc: "2.0", id: "a", method: "tools/call", params: { name: "add", arguments: { a: 1, b: 1 } } },
        { jsonrpc: "2.0", id: "b", method: "no/such" },
      ],
      { "mcp-session-id": sid },
    );
    const replies = await res.json();
    expect(replies).toEqual([
      expect.objectContaining({
        id: "a",
        result: expect.objectContaining({ content: [{ type: "text", text: "2" }] }),
      }),
      expect.objectContaining({ id: "b", error: expect.objectContaining({ code: -32601 }) }),
    ]);
  });

  it("refuses batches at later versions and initialize inside a batch", async () => {
    const h = createHandler(server());
    const sid = await session(h, "2025-11-25");
    const later = await post(h, [{ jsonrpc: "2.0", id: 1, method: "ping" }], { "mcp-session-id": sid });
    expect(later.status).toBe(400);
    const init = await post(h, [
      { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26" } },
    ]);
    expect(init.status).toBe(400);
  });
});

describe("lightweight Requests of other Node bridges", () => {
  /**
   * Shaped like @hono/node-server's request: it inherits Request.prototype and implements the
   * members it serves itself (here arrayBuffer), so an inherited member such as `bytes()` throws.
   */
  function lightRequest(body: string, headers: Record<string, string>): Request {
    const light = Object.create(Request.prototype) as Record<string, unknown>;
    const bytes = new TextEncoder().encode(body);
    Object.defineProperties(light, {
      method: { value: "POST" },
      url: { value: URL_ },
      headers: { value: new Headers({ ...headers, "content-length": String(bytes.byteLength) }) },
      body: { value: null },
      signal: { value: new AbortController().signal },
      arrayBuffer: { value: async () => bytes.buffer },
    });
    return light as unknown as Request;
  }

  it("reads the body of a request that inherits Request.prototype's bytes()", async () => {
    const h = createHandler(server());
    const m = modern("tools/call", { name: "add", arguments: { a: 2, b: 5 } });
    const request = lightRequest(JSON.stringify(m.body), { ...H, ...m.headers });
    expect(() => request.bytes()).toThrow(TypeError);
    const res = await h.fetch(request);
    expect(res.status).toBe(200);
    expect((await res.json()).result.content).toEqual([{ type: "text", text: "7" }]);
  });
});
