/**
 * A server middleware's `scope`: run around each HTTP request the handler gets (before the body is
 * read and a legacy session is looked up), outermost first; a definition's `use` and a switched-off
 * middleware never have theirs run; a scope that does not run its request, or answers another
 * response, fails the request (500, reported) rather than answer with what it made up.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  McpServer,
  type Middleware,
  memoryStores,
  type PorticoError,
  type RequestScope,
  type Stores,
} from "../src/index.ts";
import { legacySession, modern, modernRequest, read, URL_ } from "./_client.ts";

/** A middleware that passes calls through, with `scope` attached. */
function scoped(scope: RequestScope, enabled?: boolean): Middleware {
  const pass: Middleware = (_call, next) => next();
  return Object.assign(pass, { scope }, enabled === undefined ? {} : { enabled });
}

function adder(): McpServer {
  const server = new McpServer({ name: "scope", version: "1.0.0" });
  addTool(server, "add", { input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b));
  return server;
}

describe("Middleware.scope", () => {
  it("runs around every HTTP request, outermost first, with the session lookup inside it", async () => {
    const trace: string[] = [];
    let inScope = 0;
    const base = memoryStores();
    // The session store notes whether a call happens inside the scopes.
    const stores: Stores = {
      ...base,
      sessions: {
        get: (key) => {
          trace.push(`sessions.get in ${inScope}`);
          return base.sessions.get(key);
        },
        create: (key, value, ttl) => base.sessions.create(key, value, ttl),
        update: (key, version, value, ttl) => base.sessions.update(key, version, value, ttl),
        delete: (key) => base.sessions.delete(key),
      },
    };
    const around =
      (name: string): RequestScope =>
      async (request, run, host) => {
        trace.push(`${name} ${request.method}${host.requestId === undefined ? "" : ` ${host.requestId}`}`);
        inScope++;
        try {
          return await run();
        } finally {
          inScope--;
          trace.push(`${name} done`);
        }
      };
    const server = adder().use(scoped(around("outer")), (_c, next) => next(), scoped(around("inner")));
    const handler = createHandler(server, { stores });
    const session = await legacySession(handler);
    trace.length = 0;
    const answer = await session.call("tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(answer.final.result.content[0].text).toBe("3");
    expect(trace).toStrictEqual([
      "outer POST",
      "inner POST",
      "sessions.get in 2",
      "inner done",
      "outer done",
    ]);
    trace.length = 0;
    const del = await handler.fetch(
      new Request(URL_, { method: "DELETE", headers: { "mcp-session-id": session.sessionId } }),
      undefined,
      { requestId: "host-1" },
    );
    expect(del.status).toBe(200);
    expect(trace.filter((t) => !t.startsWith("sessions"))).toStrictEqual([
      "outer DELETE host-1",
      "inner DELETE host-1",
      "inner done",
      "outer done",
    ]);
    handler.close();
  });

  it("a definition's use and a switched-off middleware have no scope run", async () => {
    const runs: string[] = [];
    const note =
      (name: string): RequestScope =>
      (_request, run) => {
        runs.push(name);
        return run();
      };
    const server = new McpServer({ name: "scope", version: "1.0.0" });
    addTool(server, "add", { use: [scoped(note("definition"))] }, () => "ok");
    server.use(scoped(note("off"), false));
    const handler = createHandler(server);
    expect((await modern(handler, "tools/call", { name: "add", arguments: {} })).final.result).toBeDefined();
    expect(runs).toStrictEqual([]);
    expect(() =>
      adder().use(Object.assign((_c: unknown, n: () => never) => n(), { scope: 1 }) as never),
    ).toThrow(/scope must be a function/);
  });

  it("a scope that does not run its request, runs it twice or resolves no response fails it: 500, reported", async () => {
    const errors: unknown[] = [];
    const cases: RequestScope[] = [
      async () => new Response("made up"),
      async (_request, run) => {
        await run();
        return run();
      },
      async (_request, run) => {
        await run();
        return {} as Response;
      },
    ];
    for (const scope of cases) {
      const handler = createHandler(adder().use(scoped(scope)), { onError: (e) => errors.push(e) });
      const answer = await modern(handler, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
      expect(answer.status).toBe(500);
      expect(answer.final.error).toMatchObject({ code: -32603 });
      handler.close();
    }
    expect(errors.map((e) => (e as PorticoError).code)).toStrictEqual([
      "scope_answer",
      "scope_twice",
      "scope_answer",
    ]);
  });

  it("a scope may answer a response of its own around the one it ran (following its body)", async () => {
    const handler = createHandler(
      adder().use(
        scoped(async (_request, run) => {
          const response = await run();
          const headers = new Headers(response.headers);
          headers.set("x-scoped", "yes");
          return new Response(response.body, { status: response.status, headers });
        }),
      ),
    );
    const response = await handler.fetch(
      modernRequest("tools/call", { name: "add", arguments: { a: 1, b: 2 } }),
    );
    expect(response.headers.get("x-scoped")).toBe("yes");
    expect((await read(response)).final.result.content[0].text).toBe("3");
    handler.close();
  });
});
