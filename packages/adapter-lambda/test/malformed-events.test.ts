/**
 * Malformed events, odd contexts and apps that do not return a Response: both handlers answer
 * (400 for the event, 500 for the app) instead of rejecting the invocation.
 */
import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { type FetchApp, handle, streamHandle, toEvent } from "../src/index.ts";
import { FakeResponseStream, installFakeRuntime, type StreamingHandler } from "./_fake-runtime.ts";

installFakeRuntime();

const INTERNAL_ERROR = { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } };
const server = new McpServer({ name: "malformed", version: "1" });
addTool(server, "whoami", {}, (_args, ctx) => JSON.stringify({ auth: ctx.auth ?? null }));
const portico = createHandler(server, { onError: () => {} });
const context = { awsRequestId: "r", getRemainingTimeInMillis: () => 10_000 };

const baseEvent = async (): Promise<Record<string, any>> =>
  (await toEvent(
    modernPost("https://abc.lambda-url.us-east-1.on.aws/mcp", "tools/call", {
      name: "whoami",
      arguments: {},
    }),
    "v2",
  )) as Record<string, any>;
const withAuthorizer = async (authorizer: unknown) => {
  const event = await baseEvent();
  return { ...event, requestContext: { ...event.requestContext, authorizer } };
};

/** Both handlers on one event: `handle()`'s result and what `streamHandle()`'s client got. */
async function both(app: FetchApp, event: unknown, ctx: unknown = context) {
  const errors: unknown[] = [];
  const onError = (e: unknown) => void errors.push(e);
  const buffered = await handle(app, { onError })(event, ctx as never);
  const sink = new FakeResponseStream();
  await (streamHandle(app, { onError }) as StreamingHandler)(event, sink, ctx);
  return { buffered, streamed: { ...sink.received(), ended: sink.writableEnded }, errors };
}

describe("v2 authorizers that are null (or hold null)", () => {
  for (const authorizer of [null, { jwt: null }, { iam: null }, { lambda: null }]) {
    it(`${JSON.stringify(authorizer)}: answered, the tool sees no auth`, async () => {
      const { buffered, streamed, errors } = await both(portico, await withAuthorizer(authorizer));
      expect(buffered.statusCode).toBe(200);
      expect(JSON.parse(JSON.parse(buffered.body).result.content[0].text)).toEqual({ auth: null });
      expect(streamed.prelude?.statusCode).toBe(200);
      expect(streamed.ended).toBe(true);
      expect(errors).toEqual([]);
    });
  }
});

describe("an event a strategy cannot read", () => {
  it("gets a 400 from both handlers", async () => {
    const event = await baseEvent();
    Object.defineProperty(event.requestContext, "authorizer", {
      get() {
        throw new TypeError("unreadable");
      },
    });
    const { buffered, streamed } = await both(portico, event);
    expect(buffered.statusCode).toBe(400);
    expect(streamed.prelude?.statusCode).toBe(400);
    expect(streamed.ended).toBe(true);
  });
});

describe("an app that does not return a Response", () => {
  const apps: [string, FetchApp][] = [
    ["undefined", { fetch: () => undefined as unknown as Response }],
    ["a plain object", { fetch: () => ({ status: 200, headers: {}, body: "hi" }) as unknown as Response }],
    [
      "a Response-like object whose body is no stream",
      { fetch: () => ({ status: 200, headers: new Headers(), body: "secret" }) as unknown as Response },
    ],
  ];
  for (const [what, app] of apps) {
    it(`${what}: both handlers answer 500 without detail, and onError is told`, async () => {
      const { buffered, streamed, errors } = await both(app, await baseEvent());
      expect(buffered.statusCode).toBe(500);
      expect(JSON.parse(buffered.body)).toEqual(INTERNAL_ERROR);
      expect(streamed.prelude?.statusCode).toBe(500);
      expect(JSON.parse(streamed.body)).toEqual(INTERNAL_ERROR);
      expect(streamed.ended).toBe(true);
      expect(errors).toHaveLength(2);
      for (const error of errors) expect(error).toBeInstanceOf(Error);
    });
  }
});

describe("a context whose getRemainingTimeInMillis is unusable", () => {
  const contexts: [string, unknown][] = [
    ["not a function", { awsRequestId: "r", getRemainingTimeInMillis: 5 }],
    [
      "throws",
      {
        awsRequestId: "r",
        getRemainingTimeInMillis: () => {
          throw new Error("no clock");
        },
      },
    ],
  ];
  for (const [what, ctx] of contexts) {
    it(`${what}: no deadline known, the request is answered`, async () => {
      let deadline: unknown = "unset";
      const app: FetchApp = {
        fetch: (_request, _env, c) => {
          deadline = (c as { deadline?: number }).deadline;
          return new Response("ok");
        },
      };
      const { buffered, streamed, errors } = await both(app, await baseEvent(), ctx);
      expect(buffered.statusCode).toBe(200);
      expect(streamed.prelude?.statusCode).toBe(200);
      expect(streamed.body).toBe("ok");
      expect(deadline).toBeUndefined();
      expect(errors).toEqual([]);
    });
  }
});
