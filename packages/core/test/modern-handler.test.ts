/**
 * `createModernHandler`: the 2026-07-28 era alone. Its tools, streams and MRTR round trips work as
 * under `createHandler`; a 2025-era client gets the protocol's answer to a version it does not
 * share; its stores need no event log.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  createModernHandler,
  ErrorCode,
  type McpHandler,
  McpServer,
  MemoryBus,
  MemorySessionStore,
  type ModernStores,
} from "../src/index.ts";
import { modernRequest, URL_ } from "./_client.ts";
import { ACCEPT_BOTH, initializeRequest } from "./_requests.ts";

function server(): McpServer {
  const s = new McpServer({ name: "t", version: "1.0.0" });
  addTool(s, "add", { input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b));
  addTool(s, "ask", {}, async (_a, ctx) => {
    const r = await ctx.elicit({
      message: "name?",
      requestedSchema: { type: "object", properties: { n: { type: "string" } } },
    });
    return `got ${JSON.stringify(r.content)}`;
  });
  addTool(s, "prog", {}, async (_a, ctx) => {
    await ctx.progress(1, 2);
    return "done";
  });
  return s;
}

function call(h: McpHandler, method: string, params: Record<string, unknown> = {}, id = 1) {
  return h.fetch(modernRequest(method, params, { id, capabilities: { elicitation: {} } }));
}

/** Asks `ask`, answers its elicitation, and returns both answers' bodies and the requestState. */
async function roundTrip(h: McpHandler) {
  const first = await (await call(h, "tools/call", { name: "ask", arguments: {} })).json();
  expect(first.result.resultType).toBe("input_required");
  const [key] = Object.keys(first.result.inputRequests);
  const retry = {
    name: "ask",
    arguments: {},
    requestState: first.result.requestState,
    inputResponses: { [key as string]: { action: "accept", content: { n: "x" } } },
  };
  const second = await (await call(h, "tools/call", retry, 2)).json();
  const replay = await (await call(h, "tools/call", retry, 3)).json();
  return { second, replay };
}

describe("createModernHandler", () => {
  it("serves tools/list and tools/call", async () => {
    const h = createModernHandler(server());
    const list = await (await call(h, "tools/list")).json();
    expect(list.result.tools.map((t: { name: string }) => t.name)).toStrictEqual(["add", "ask", "prog"]);
    const sum = await call(h, "tools/call", { name: "add", arguments: { a: 2, b: 3 } });
    expect(sum.status).toBe(200);
    expect(await sum.json()).toMatchObject({ result: { resultType: "complete", content: [{ text: "5" }] } });
  });

  it("streams progress over SSE", async () => {
    const h = createModernHandler(server());
    const res = await call(h, "tools/call", { name: "prog", _meta: { progressToken: "p" } });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text();
    expect(text).toContain("notifications/progress");
    expect(text).toContain('"done"');
  });

  it("completes an MRTR round trip with its default stores and refuses the same requestState twice", async () => {
    const { second, replay } = await roundTrip(createModernHandler(server()));
    expect(second.result).toMatchObject({ resultType: "complete", content: [{ text: 'got {"n":"x"}' }] });
    expect(replay.error?.code).toBe(ErrorCode.InvalidParams);
  });

  it("answers a 2025-era initialize with UnsupportedProtocolVersion and the version it speaks", async () => {
    const res = await createModernHandler(server()).fetch(initializeRequest(URL_));
    expect(res.status).toBe(400);
    expect(res.headers.get("mcp-session-id")).toBeNull();
    const body = await res.json();
    expect(body.error.code).toBe(ErrorCode.UnsupportedProtocolVersion);
    // `requested` as UnsupportedProtocolVersionError requires: the initialize's version.
    expect(body.error.data).toStrictEqual({ supported: ["2026-07-28"], requested: "2025-11-25" });
  });

  it("refuses a batch from a 2026-07-28 client as such (-32600), on either handler, not with a session error", async () => {
    const message = (id: number) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/list",
      params: {
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    });
    for (const handler of [createModernHandler(server()), createHandler(server())]) {
      const res = await handler.fetch(
        new Request(URL_, {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify([message(1), message(2)]),
        }),
      );
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe(ErrorCode.InvalidRequest);
      expect(body.error.message).toMatch(/2026-07-28 has no batches/);
    }
  });

  it("refuses 2025-era session GET and DELETE with 405", async () => {
    const h = createModernHandler(server());
    for (const method of ["GET", "DELETE"]) {
      const res = await h.fetch(
        new Request(URL_, { method, headers: { accept: ACCEPT_BOTH, "mcp-session-id": "s1" } }),
      );
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow"), method).toBe("POST");
    }
  });

  it("uses the stores it is given, which need no event log", async () => {
    const sessions = new MemorySessionStore();
    let creates = 0;
    const counted: ModernStores = {
      sessions: {
        get: (key) => sessions.get(key),
        create: (key, value, ttl) => {
          creates++;
          return sessions.create(key, value, ttl);
        },
        update: (key, version, value, ttl) => sessions.update(key, version, value, ttl),
        delete: (key) => sessions.delete(key),
      },
      bus: new MemoryBus(),
    };
    const { second, replay } = await roundTrip(createModernHandler(server(), { stores: counted }));
    expect(second.result.resultType).toBe("complete");
    expect(replay.error).toBeDefined();
    // The first retry creates its caller's claims record; the replay is refused on reading it.
    expect(creates).toBe(1);
  });

  it("checks its options as createHandler does", () => {
    expect(() => createModernHandler(server(), { secret: "short" })).toThrow(/at least 32 bytes/);
    expect(() => createModernHandler(server(), { maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
  });
});
