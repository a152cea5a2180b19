/**
 * `subscriptions/listen` is opened through `server.use` middleware like every request: the chain
 * runs until the stream is open (its acknowledgement queued) and the stream runs on after it. A
 * middleware may refuse a listen (no stream, no place held), rewrite its filter, or fail it after
 * it opened (the stream is abandoned and its place given back).
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  ErrorCode,
  type HandlerOptions,
  type McpCall,
  McpError,
  McpServer,
  type Middleware,
} from "../src/index.ts";
import { sseMessages, URL_ } from "./_client.ts";
import { listenRequest } from "./_requests.ts";

/** A server whose middleware records each call and whether its chain had resolved, then `use`. */
function observed(use: Middleware[], options: HandlerOptions = {}) {
  const seen: { call: McpCall; settled: boolean }[] = [];
  const server = new McpServer({ name: "listen-mw", version: "1.0.0" });
  addTool(server, "echo", {}, () => "ok");
  server.use(
    async (call, next) => {
      const entry = { call, settled: false };
      seen.push(entry);
      try {
        return await next();
      } finally {
        entry.settled = true;
      }
    },
    ...use,
  );
  const handler = createHandler(server, { onError: () => {}, ...options });
  return { handler, seen, server };
}

const open = (
  h: ReturnType<typeof createHandler>,
  notifications: Record<string, unknown>,
  address?: string,
) =>
  h.fetch(
    listenRequest(URL_, notifications),
    undefined,
    address === undefined ? {} : { clientAddress: address },
  );

/** The first event of a listen stream (its acknowledgement); the stream is then cancelled. */
async function acknowledgement(response: Response): Promise<Record<string, any>> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const events = sseMessages(response);
  const first = (await events.next()).value as Record<string, any>;
  await events.return(undefined);
  return first;
}

describe("subscriptions/listen through server.use middleware", () => {
  it("is seen with its method, era and filter; the chain settles once the stream is open", async () => {
    const { handler, seen } = observed([]);
    const response = await open(handler, { toolsListChanged: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.call).toMatchObject({
      method: "subscriptions/listen",
      era: "modern",
      protocolVersion: "2026-07-28",
      requestId: "sub-1",
      sessionId: undefined,
      params: { notifications: { toolsListChanged: true } },
    });
    // The stream is still open (nothing has ended it) while the chain has already settled.
    expect(seen[0]?.settled).toBe(true);
    expect(await acknowledgement(response)).toMatchObject({
      method: "notifications/subscriptions/acknowledged",
      params: { notifications: { toolsListChanged: true } },
    });
    handler.close();
  });

  it("may rewrite the filter: the acknowledgement says what was honoured of the rewritten one", async () => {
    const noTools: Middleware = async (call, next) => {
      if (call.method === "subscriptions/listen") {
        const { toolsListChanged: _dropped, ...rest } = call.params.notifications as Record<string, unknown>;
        call.params = { ...call.params, notifications: rest };
      }
      return next();
    };
    const { handler } = observed([noTools]);
    const ack = await acknowledgement(
      await open(handler, { toolsListChanged: true, promptsListChanged: true }),
    );
    expect(ack.params.notifications).toEqual({});
    handler.close();
  });

  it("may refuse it: the JSON-RPC error, no stream, and no place held", async () => {
    let refuse = true;
    const gate: Middleware = async (call, next) => {
      if (call.method === "subscriptions/listen" && refuse) {
        throw new McpError(ErrorCode.InvalidRequest, "Listening is not allowed for this caller");
      }
      return next();
    };
    const { handler } = observed([gate], { maxListenStreamsPerCaller: 1 });
    for (let i = 0; i < 3; i++) {
      const refused = await open(handler, { toolsListChanged: true }, "192.0.2.5");
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({
        jsonrpc: "2.0",
        id: "sub-1",
        error: { code: ErrorCode.InvalidRequest, message: "Listening is not allowed for this caller" },
      });
    }
    refuse = false;
    // The refusals held no place: the caller's one stream opens.
    await acknowledgement(await open(handler, { toolsListChanged: true }, "192.0.2.5"));
    handler.close();
  });

  it("a middleware failing after the stream opened: -32603 with 500, the stream abandoned and its place given back", async () => {
    const errors: unknown[] = [];
    let fail = true;
    const late: Middleware = async (call, next) => {
      const result = await next();
      if (call.method === "subscriptions/listen" && fail) throw new Error("policy store down");
      return result;
    };
    const { handler } = observed([late], { maxListenStreamsPerCaller: 1, onError: (e) => errors.push(e) });
    const failed = await open(handler, { toolsListChanged: true }, "192.0.2.6");
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({
      jsonrpc: "2.0",
      id: "sub-1",
      error: { code: ErrorCode.InternalError, message: "Internal error" },
    });
    expect(errors).toHaveLength(1);
    fail = false;
    await acknowledgement(await open(handler, { toolsListChanged: true }, "192.0.2.6"));
    handler.close();
  });

  it("answered by a middleware without next(): its result, as JSON, and no stream", async () => {
    const { handler } = observed([
      async (call, next) => (call.method === "subscriptions/listen" ? { _meta: { closed: true } } : next()),
    ]);
    const response = await open(handler, { toolsListChanged: true });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      jsonrpc: "2.0",
      id: "sub-1",
      result: { _meta: { closed: true }, resultType: "complete" },
    });
    handler.close();
  });

  it("a middleware reporting progress while the listen opens breaks nothing: the acknowledgement comes first", async () => {
    const { handler } = observed([
      async (call, next) => {
        if (call.method === "subscriptions/listen") await call.ctx.progress(1, 2, "opening");
        return next();
      },
    ]);
    const request = listenRequest(URL_, { toolsListChanged: true });
    const body = await request.json();
    body.params._meta.progressToken = "p-1";
    const response = await handler.fetch(new Request(request, { body: JSON.stringify(body) }));
    expect(await acknowledgement(response)).toMatchObject({
      method: "notifications/subscriptions/acknowledged",
    });
    handler.close();
  });

  it("its own refusals keep their status inside the chain, and the middleware sees them", async () => {
    const errors: unknown[] = [];
    const { handler } = observed([
      async (_call, next) => {
        try {
          return await next();
        } catch (error) {
          errors.push(error);
          throw error;
        }
      },
    ]);
    const invalid = await open(handler, { resourceSubscriptions: "all" });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(errors[0]).toMatchObject({ code: ErrorCode.InvalidParams });
    handler.close();
  });
});
