/**
 * A legacy `initialize` is a request like any other to `server.use` middleware: it sees the method,
 * the version the server agrees on and the id of the session being opened; it may refuse it (no
 * session opens, no `Mcp-Session-Id`), and what the session's own checks refuse (the client's
 * state, `maxSessionsPerCaller`) keeps its status and headers while the middleware sees the error.
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  ErrorCode,
  type McpCall,
  McpError,
  McpServer,
  type Middleware,
  RefusedError,
} from "../src/index.ts";
import { read, URL_ } from "./_client.ts";
import { ACCEPT_BOTH } from "./_requests.ts";

function initialize(params: Record<string, unknown>): Request {
  return new Request(URL_, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT_BOTH },
    body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "initialize", params }),
  });
}

const CLIENT = {
  protocolVersion: "2025-06-18",
  capabilities: { roots: {} },
  clientInfo: { name: "c", version: "1" },
};

/** A server with one tool, and what its middleware saw of each call (and its outcome). */
function observed(...use: Middleware[]) {
  const seen: { call: McpCall; result?: Record<string, unknown>; error?: unknown }[] = [];
  const server = new McpServer({ name: "init", version: "1.0.0" });
  addTool(server, "echo", {}, () => "ok");
  server.use(
    async (call, next) => {
      const entry: (typeof seen)[number] = { call };
      seen.push(entry);
      try {
        entry.result = await next();
        return entry.result;
      } catch (error) {
        entry.error = error;
        throw error;
      }
    },
    ...use,
  );
  return { server, seen };
}

/** A request in session `id` (tools/list), answered 404 when the session does not exist. */
const inSession = (id: string) =>
  new Request(URL_, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: ACCEPT_BOTH,
      "mcp-session-id": id,
      "mcp-protocol-version": "2025-06-18",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
  });

describe("a legacy initialize through server.use middleware", () => {
  it("is seen with its method, agreed version, client and the id of the session it opens", async () => {
    const { server, seen } = observed();
    const handler = createHandler(server);
    const response = await handler.fetch(initialize(CLIENT));
    expect(response.status).toBe(200);
    const sessionId = response.headers.get("mcp-session-id");
    expect(sessionId).toMatch(/^[\w-]{32}$/);
    const answer = await read(response);
    expect(answer.final).toMatchObject({ id: 7, result: { protocolVersion: "2025-06-18" } });
    expect(seen).toHaveLength(1);
    const call = seen[0]?.call as McpCall;
    expect(call).toMatchObject({
      method: "initialize",
      era: "legacy",
      protocolVersion: "2025-06-18",
      requestId: 7,
      sessionId,
      target: undefined,
      clientCapabilities: { roots: {} },
      clientInfo: { name: "c", version: "1" },
      session: undefined,
    });
    // What the middleware got back is what the client got.
    expect(seen[0]?.result).toEqual(answer.final.result);
    // An unknown version is answered with the latest legacy one, and the middleware saw that one.
    await handler.fetch(initialize({ ...CLIENT, protocolVersion: "2099-01-01" }));
    expect(seen[1]?.call.protocolVersion).toBe("2025-11-25");
    handler.close();
  });

  it("opens the session its params say once middleware changed them (a client capability hidden)", async () => {
    const hideRoots: Middleware = async (call, next) => {
      if (call.method === "initialize") {
        const { roots: _hidden, ...capabilities } = call.params.capabilities as Record<string, unknown>;
        call.params = { ...call.params, capabilities };
      }
      return next();
    };
    const { server, seen } = observed(hideRoots);
    addTool(server, "caps", {}, (_args, ctx) => JSON.stringify(ctx.clientCapabilities));
    const handler = createHandler(server);
    const opened = await handler.fetch(initialize(CLIENT));
    const sessionId = opened.headers.get("mcp-session-id") as string;
    const call = new Request(URL_, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: ACCEPT_BOTH,
        "mcp-session-id": sessionId,
        "mcp-protocol-version": "2025-06-18",
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 2,
        method: "tools/call",
        params: { name: "caps", arguments: {} },
      }),
    });
    expect((await read(await handler.fetch(call))).final.result.content[0].text).toBe("{}");
    // The call itself was made from what the client sent.
    expect(seen[0]?.call.clientCapabilities).toEqual({ roots: {} });
    handler.close();
  });

  it("may refuse it: the client gets the JSON-RPC error and no session opens", async () => {
    let sessionId: string | undefined;
    const refuse: Middleware = async (call, next) => {
      if (call.method !== "initialize") return next();
      sessionId = call.sessionId;
      throw new McpError(-32050, "Refused by policy", { rule: "no-sessions" });
    };
    const { server } = observed(refuse);
    const handler = createHandler(server);
    const response = await handler.fetch(initialize(CLIENT));
    expect(response.status).toBe(400);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect((await read(response)).final).toEqual({
      jsonrpc: "2.0",
      id: 7,
      error: { code: -32050, message: "Refused by policy", data: { rule: "no-sessions" } },
    });
    expect(sessionId).toMatch(/^[\w-]{32}$/);
    expect((await handler.fetch(inSession(sessionId as string))).status).toBe(404);
    handler.close();
  });

  it("a RefusedError from middleware answers its own status and headers (a 503 with Retry-After) and opens no session", async () => {
    const { server } = observed(async (call, next) => {
      if (call.method !== "initialize") return next();
      throw new RefusedError(503, -32050, "Maintenance", { headers: { "retry-after": "120" } });
    });
    const handler = createHandler(server);
    const response = await handler.fetch(initialize(CLIENT));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("120");
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect((await read(response)).final.error).toEqual({ code: -32050, message: "Maintenance" });
    expect(() => new RefusedError(200, -32050, "not a refusal")).toThrow(/status must be 400–599, not 200/);
    handler.close();
  });

  it("a crash in middleware is -32603 with status 500, reported, and opens no session", async () => {
    const errors: unknown[] = [];
    let sessionId: string | undefined;
    const { server } = observed(async (call) => {
      sessionId = call.sessionId;
      throw new Error("secret detail");
    });
    const handler = createHandler(server, { onError: (e) => errors.push(e) });
    const response = await handler.fetch(initialize(CLIENT));
    expect(response.status).toBe(500);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      jsonrpc: "2.0",
      id: 7,
      error: { code: ErrorCode.InternalError, message: "Internal error" },
    });
    expect(text).not.toContain("secret");
    expect(errors).toHaveLength(1);
    expect((await handler.fetch(inSession(sessionId as string))).status).toBe(404);
    handler.close();
  });

  it("a middleware failing after next(): the session just recorded is ended, its place given back", async () => {
    let fail = true;
    let sessionId: string | undefined;
    const late: Middleware = async (call, next) => {
      const result = await next();
      sessionId ??= call.sessionId; // the first one's
      if (fail) throw new McpError(-32050, "Refused after the fact");
      return result;
    };
    const { server } = observed(late);
    const handler = createHandler(server, { maxSessionsPerCaller: 1 });
    const caller = { clientAddress: "203.0.113.50" };
    const failed = await handler.fetch(initialize(CLIENT), undefined, caller);
    expect(failed.status).toBe(400);
    expect(failed.headers.get("mcp-session-id")).toBeNull();
    expect((await read(failed)).final.error).toMatchObject({ code: -32050 });
    expect((await handler.fetch(inSession(sessionId as string))).status).toBe(404);
    // The caller's one place was given back: its next session opens.
    fail = false;
    const opened = await handler.fetch(initialize(CLIENT), undefined, caller);
    expect(opened.status).toBe(200);
    expect(opened.headers.get("mcp-session-id")).not.toBe(sessionId);
    expect((await handler.fetch(inSession(opened.headers.get("mcp-session-id") as string))).status).toBe(200);
    handler.close();
  });

  it("may answer it without next(): no session is recorded, so none is named", async () => {
    const { server } = observed(async (call, next) =>
      call.method === "initialize"
        ? { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: {} }
        : next(),
    );
    const handler = createHandler(server);
    const response = await handler.fetch(initialize(CLIENT));
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    handler.close();
  });

  it("sees the session's own refusals, which keep their status and headers", async () => {
    const { server, seen } = observed();
    const handler = createHandler(server, { maxSessionsPerCaller: 1 });
    const caller = { clientAddress: "203.0.113.9" };
    const first = await handler.fetch(initialize(CLIENT), undefined, caller);
    expect(first.status).toBe(200);
    const second = await handler.fetch(initialize(CLIENT), undefined, caller);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toBe("60");
    expect(second.headers.get("mcp-session-id")).toBeNull();
    expect((await read(second)).final.error).toMatchObject({ code: ErrorCode.InvalidRequest });
    expect(seen[1]?.error).toMatchObject({ code: ErrorCode.InvalidRequest });
    // Invalid params are refused inside the chain too: 400, seen as -32602.
    const invalid = await handler.fetch(initialize({ capabilities: {} }));
    expect(invalid.status).toBe(400);
    expect((await read(invalid)).final.error).toMatchObject({
      code: ErrorCode.InvalidParams,
      message: "Invalid params: /protocolVersion is required",
    });
    expect(seen[2]?.error).toMatchObject({ code: ErrorCode.InvalidParams });
    handler.close();
  });
});
