/**
 * `server.use(middleware)` and per-definition `use`: order, what a call carries, short-circuits,
 * replaced results, errors (also after progress was streamed), lists, cancellation, MRTR — in both
 * eras — and a custom method added through the same table as the built-in ones.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  addMethods,
  addPrompt,
  addResource,
  addTool,
  createHandler,
  ErrorCode,
  type McpCall,
  McpError,
  McpServer,
  type Middleware,
  RefusedError,
} from "../src/index.ts";
import { legacySession, modern, modernRequest, pastInitialize, read, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

const ERAS = ["modern", "legacy"] as const;
type EraName = (typeof ERAS)[number];

/** One request in `era` against a fresh handler of `server`. */
async function request(
  server: McpServer,
  era: EraName,
  method: string,
  params: Record<string, unknown> = {},
  options: { onError?: (e: unknown) => void; capabilities?: Record<string, unknown> } = {},
) {
  const handler = createHandler(server, { onError: options.onError ?? (() => {}) });
  try {
    if (era === "modern")
      return await modern(handler, method, params, { capabilities: options.capabilities ?? {} });
    const session = await legacySession(handler);
    return await session.call(method, params);
  } finally {
    handler.close();
  }
}

function adder(...use: Middleware[]): McpServer {
  const server = new McpServer({ name: "mw", version: "1.0.0" });
  addTool(
    server,
    "add",
    { input: v.object({ a: v.number(), b: v.number() }), ...(use.length > 0 ? { use } : {}) },
    ({ a, b }) => String(a + b),
  );
  return server;
}

const textOf = (result: Record<string, any>) => result.content?.[0]?.text;

describe.each(ERAS)("middleware (%s era)", (era) => {
  it("runs server middleware in the order added, then the definition's, around the handler", async () => {
    const trace: string[] = [];
    const mark =
      (name: string): Middleware =>
      async (_call, next) => {
        trace.push(`${name}>`);
        const result = await next();
        trace.push(`<${name}`);
        return result;
      };
    const server = adder(mark("tool"));
    server.use(mark("a"), mark("b"));
    const answer = await request(server, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(textOf(answer.final.result)).toBe("3");
    // A legacy session's initialize passes the server's middleware first (not the tool's own).
    const opened = era === "legacy" ? ["a>", "b>", "<b", "<a"] : [];
    expect(trace).toEqual([...opened, "a>", "b>", "tool>", "<tool", "<b", "<a"]);
  });

  it("leaves out a middleware switched off (enabled: false), on the server and on a definition", async () => {
    const trace: string[] = [];
    const off = Object.assign(
      async (_call: McpCall, next: () => Promise<Record<string, unknown>>) => {
        trace.push("ran");
        return next();
      },
      { enabled: false },
    );
    const server = adder(off);
    server.use(off);
    expect(server.middleware).toHaveLength(0);
    const answer = await request(server, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(textOf(answer.final.result)).toBe("3");
    expect(trace).toEqual([]);
  });

  it("gives middleware the method, params, target, era, version, ids, signal and a state bag", async () => {
    const seen: Partial<Record<keyof McpCall, unknown>>[] = [];
    const server = adder();
    server.use(
      async (call, next) => {
        call.state.from = "outer";
        return next();
      },
      pastInitialize(async (call, next) => {
        seen.push({
          method: call.method,
          params: call.params,
          target: call.target,
          era: call.era,
          protocolVersion: call.protocolVersion,
          requestId: call.requestId,
          sessionId: call.sessionId,
          signal: call.signal instanceof AbortSignal && !call.signal.aborted,
          state: { ...call.state },
        });
        return next();
      }),
    );
    await request(server, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    await request(server, era, "tools/list");
    expect(seen[0]).toMatchObject({
      method: "tools/call",
      params: { name: "add", arguments: { a: 1, b: 2 } },
      target: "add",
      era,
      protocolVersion: era === "modern" ? "2026-07-28" : "2025-11-25",
      requestId: 1,
      signal: true,
      state: { from: "outer" },
    });
    if (era === "legacy") expect(seen[0]?.sessionId).toMatch(/^[\w-]{32}$/);
    else expect(seen[0]?.sessionId).toBeUndefined();
    expect(seen[1]).toMatchObject({ method: "tools/list", target: undefined });
  });

  it("may answer without calling next: the handler never runs", async () => {
    let ran = false;
    const server = new McpServer({ name: "mw", version: "1.0.0" });
    addTool(server, "add", {}, () => {
      ran = true;
      return "handler";
    });
    server.use(pastInitialize(async () => ({ content: [{ type: "text", text: "from middleware" }] })));
    const answer = await request(server, era, "tools/call", { name: "add", arguments: {} });
    expect(textOf(answer.final.result)).toBe("from middleware");
    expect(ran).toBe(false);
  });

  it("may replace the result and the params", async () => {
    const server = adder();
    server.use(async (call, next) => {
      call.params = { ...call.params, arguments: { a: 40, b: 2 } };
      const result = await next();
      return { ...result, content: [{ type: "text", text: `answer: ${textOf(result)}` }] };
    });
    const answer = await request(server, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(textOf(answer.final.result)).toBe("answer: 42");
  });

  it("an McpError thrown by middleware becomes the JSON-RPC error, in the per-definition chain too", async () => {
    const refuse: Middleware = pastInitialize(async () => {
      throw new McpError(-32050, "Refused by policy", { rule: "no-add" });
    });
    for (const server of [adder(refuse), adder().use(refuse)]) {
      const answer = await request(server, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
      expect(answer.final.error).toEqual({
        code: -32050,
        message: "Refused by policy",
        data: { rule: "no-add" },
      });
      expect(answer.status).toBe(200);
    }
    const invalid = adder().use(
      pastInitialize(async () => {
        throw new McpError(ErrorCode.InvalidParams, "Invalid params: nope");
      }),
    );
    const answer = await request(invalid, era, "tools/call", { name: "add", arguments: {} });
    expect(answer.final.error.code).toBe(ErrorCode.InvalidParams);
    expect(answer.status).toBe(era === "modern" ? 400 : 200);
  });

  it("a RefusedError thrown by middleware answers its HTTP status and headers in the 2026-07-28 era; in a legacy session, the JSON-RPC error", async () => {
    const server = adder().use(
      pastInitialize(async () => {
        throw new RefusedError(429, -31029, "Slow down", {
          data: { wait: 7 },
          headers: { "retry-after": "7" },
        });
      }),
    );
    const answer = await request(server, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(answer.final.error).toEqual({ code: -31029, message: "Slow down", data: { wait: 7 } });
    expect(answer.status).toBe(era === "modern" ? 429 : 200);
    expect(answer.headers.get("retry-after")).toBe(era === "modern" ? "7" : null);
    if (era === "legacy") expect(answer.headers.get("mcp-session-id")).toBeTruthy();
  });

  it("any other error becomes -32603 without detail and goes to onError", async () => {
    const errors: unknown[] = [];
    const server = adder().use(
      pastInitialize(async () => {
        throw new Error("secret database password in message");
      }),
    );
    const answer = await request(
      server,
      era,
      "tools/call",
      { name: "add", arguments: { a: 1, b: 2 } },
      {
        onError: (e) => errors.push(e),
      },
    );
    expect(answer.final.error).toEqual({ code: ErrorCode.InternalError, message: "Internal error" });
    expect(JSON.stringify(answer.messages)).not.toContain("secret");
    expect(errors).toHaveLength(1);
  });

  it("progress still streams through middleware, and an error after it ends the stream as a JSON-RPC error", async () => {
    const server = new McpServer({ name: "mw", version: "1.0.0" });
    addTool(server, "slow", {}, async (_args, ctx) => {
      await ctx.progress(1, 2, "half");
      return "done";
    });
    let fail = false;
    server.use(
      pastInitialize(async (_call, next) => {
        const result = await next();
        if (fail) throw new McpError(-32051, "Rejected after the fact");
        return result;
      }),
    );
    const params = { name: "slow", arguments: {}, _meta: { progressToken: "p1" } };
    const ok = await request(server, era, "tools/call", params);
    expect(ok.contentType).toMatch(/^text\/event-stream/);
    expect(ok.messages[0]).toMatchObject({
      method: "notifications/progress",
      params: { progressToken: "p1", progress: 1 },
    });
    expect(textOf(ok.final.result)).toBe("done");
    fail = true;
    const failed = await request(server, era, "tools/call", params);
    expect(failed.contentType).toMatch(/^text\/event-stream/);
    expect(failed.messages[0]).toMatchObject({ method: "notifications/progress" });
    expect(failed.final).toMatchObject({
      id: 1,
      error: { code: -32051, message: "Rejected after the fact" },
    });
  });

  it("lists go through the chain, so middleware can filter them", async () => {
    const server = adder();
    addTool(server, "internal", {}, () => "hidden");
    server.use(async (call, next) => {
      const result = await next();
      if (call.method !== "tools/list") return result;
      return { ...result, tools: (result.tools as { name: string }[]).filter((t) => t.name !== "internal") };
    });
    const answer = await request(server, era, "tools/list");
    expect((answer.final.result.tools as { name: string }[]).map((t) => t.name)).toEqual(["add"]);
  });

  it("next() called twice fails the call", async () => {
    const server = adder().use(
      pastInitialize(async (_call, next) => {
        await next();
        return next();
      }),
    );
    const answer = await request(server, era, "tools/call", { name: "add", arguments: { a: 1, b: 2 } });
    expect(answer.final.error.code).toBe(ErrorCode.InternalError);
  });

  it("wraps prompts and resources, with their own per-definition middleware", async () => {
    const server = new McpServer({ name: "mw", version: "1.0.0" });
    const trace: string[] = [];
    const traced =
      (label: (call: McpCall) => string): Middleware =>
      async (call, next) => {
        trace.push(label(call));
        return next();
      };
    addPrompt(
      server,
      "greet",
      {
        arguments: [{ name: "who", required: true }],
        use: [traced((call) => `prompt:${call.target}`)],
      },
      ({ who }) => ({ messages: [{ role: "user", content: { type: "text", text: `hi ${who}` } }] }),
    );
    addResource(
      server,
      "notes://one",
      { name: "one", use: [traced((call) => `resource:${call.target}`)] },
      (uri) => [{ uri, text: "note" }],
    );
    server.use(traced((call) => `server:${call.method}`));
    const prompt = await request(server, era, "prompts/get", { name: "greet", arguments: { who: "ann" } });
    expect(prompt.final.result.messages[0].content.text).toBe("hi ann");
    const resource = await request(server, era, "resources/read", { uri: "notes://one" });
    expect(resource.final.result.contents[0].text).toBe("note");
    const opened = era === "legacy" ? ["server:initialize"] : [];
    expect(trace).toEqual([
      ...opened,
      "server:prompts/get",
      "prompt:greet",
      ...opened,
      "server:resources/read",
      "resource:notes://one",
    ]);
  });
});

/** A server whose `wait` tool runs until its signal aborts. */
function waitsForAbort(): McpServer {
  const server = new McpServer({ name: "mw", version: "1.0.0" });
  addTool(
    server,
    "wait",
    {},
    (_args, ctx) =>
      new Promise((_resolve, reject) =>
        ctx.signal.addEventListener("abort", () => reject(new Error("stop"))),
      ),
  );
  return server;
}

describe("middleware and cancellation", () => {
  it("legacy: a notifications/cancelled aborts the signal middleware sees", async () => {
    let release!: () => void;
    const reached = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = waitsForAbort();
    let aborted: boolean | undefined;
    server.use(async (call, next) => {
      const signal = call.signal;
      release();
      try {
        return await next();
      } finally {
        aborted = signal.aborted;
      }
    });
    const handler = createHandler(server, { onError: () => {} });
    const session = await legacySession(handler);
    const pending = session.call("tools/call", { name: "wait", arguments: {} }, { id: 7 });
    await reached;
    await session.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 7 } });
    const answer = await pending;
    expect(aborted).toBe(true);
    expect(answer.final.error.code).toBe(ErrorCode.InternalError);
    handler.close();
  });

  it("modern: a client that goes away aborts the signal middleware sees", async () => {
    const server = waitsForAbort();
    const seen = Promise.withResolvers<AbortSignal>();
    server.use(async (call, next) => {
      seen.resolve(call.signal);
      return next();
    });
    const handler = createHandler(server, { onError: () => {} });
    const client = new AbortController();
    const pending = handler.fetch(
      modernRequest("tools/call", { name: "wait", arguments: {} }, { signal: client.signal }),
    );
    const signal = await seen.promise;
    expect(signal.aborted).toBe(false);
    client.abort();
    await pending.then(read).catch(() => undefined);
    expect(signal.aborted).toBe(true);
    handler.close();
  });
});

describe("middleware and MRTR (modern)", () => {
  it("an input_required round passes through middleware untouched", async () => {
    const server = new McpServer({ name: "mw", version: "1.0.0" });
    addTool(server, "ask", {}, async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: "Name?",
        requestedSchema: { type: "object", properties: {} },
      });
      return `got ${answer.action}`;
    });
    const calls: string[] = [];
    server.use(async (call, next) => {
      calls.push(call.method);
      return next();
    });
    const handler = createHandler(server);
    const capabilities = { elicitation: {} };
    const first = await modern(handler, "tools/call", { name: "ask", arguments: {} }, { capabilities });
    expect(first.final.result.resultType).toBe("input_required");
    const key = Object.keys(first.final.result.inputRequests)[0] as string;
    const second = await modern(
      handler,
      "tools/call",
      {
        name: "ask",
        arguments: {},
        requestState: first.final.result.requestState,
        inputResponses: { [key]: { action: "decline" } },
      },
      { capabilities },
    );
    expect(textOf(second.final.result)).toBe("got decline");
    expect(calls).toEqual(["tools/call", "tools/call"]);
    handler.close();
  });
});

describe("a custom method through the method table", () => {
  function acme(): McpServer {
    const server = new McpServer({ name: "acme", version: "1.0.0" });
    addMethods(server, {
      name: "acme",
      methods: {
        "acme/echo": {
          eras: ["modern", "legacy"],
          handler: (call) => ({ echoed: call.params.text, era: call.era }),
        },
        "acme/modern-only": { eras: ["modern"], cacheable: true, handler: () => ({ ok: true }) },
      },
      capabilities: () => ({ experimental: { acme: { echo: true } } }),
    });
    return server;
  }

  it.each(ERAS)("is served in the eras it declares, and announced in the capabilities (%s)", async (era) => {
    const server = acme();
    const seen: string[] = [];
    server.use(async (call, next) => {
      seen.push(call.method);
      return next();
    });
    const answer = await request(server, era, "acme/echo", { text: "hi" });
    expect(answer.final.result).toMatchObject({ echoed: "hi", era });
    expect(seen).toContain("acme/echo");
    const only = await request(server, era, "acme/modern-only");
    if (era === "modern")
      expect(only.final.result).toMatchObject({ ok: true, resultType: "complete", ttlMs: 0 });
    else expect(only.final.error.code).toBe(ErrorCode.MethodNotFound);
    const handler = createHandler(server);
    const capabilities =
      era === "modern"
        ? (await modern(handler, "server/discover")).final.result.capabilities
        : (await read(await handler.fetch(initializeRequest(URL_)))).final.result.capabilities;
    expect(capabilities.experimental).toEqual({ acme: { echo: true } });
    handler.close();
  });

  it.each(ERAS)(
    "a result that is not an object answers -32603 and is reported, sync or async (%s)",
    async (era) => {
      const server = new McpServer({ name: "acme", version: "1.0.0" });
      const family = {
        name: "acme",
        methods: {
          "acme/none": { eras: ["modern", "legacy"], handler: () => undefined as never },
          "acme/number": { eras: ["modern", "legacy"], handler: async () => 5 as never },
          "acme/list": { eras: ["modern", "legacy"], handler: () => [1, 2] as never },
          "acme/ok": { eras: ["modern", "legacy"], handler: async () => ({ ok: true }) },
        },
      } satisfies Parameters<typeof addMethods>[1];
      addMethods(server, family);
      addMethods(server, family); // the same family again changes nothing
      const reported: unknown[] = [];
      for (const method of ["acme/none", "acme/number", "acme/list"]) {
        const answer = await request(
          server,
          era,
          method,
          {},
          { onError: (e: unknown) => void reported.push(e) },
        );
        expect(answer.final.error).toStrictEqual({
          code: ErrorCode.InternalError,
          message: "Internal error",
        });
      }
      expect((await request(server, era, "acme/ok")).final.result).toMatchObject({ ok: true });
      expect(reported.map((e) => (e as Error).message)).toStrictEqual([
        "acme/none returned an invalid result: not an object",
        "acme/number returned an invalid result: not an object",
        "acme/list returned an invalid result: not an object",
      ]);
    },
  );

  it("a method another family declared is refused", () => {
    const server = acme();
    expect(() =>
      addMethods(server, {
        name: "other",
        methods: { "acme/echo": { eras: ["modern"], handler: () => ({}) } },
      }),
    ).toThrow(/already declared by the acme family/);
    addTool(server, "t", {}, () => "x");
    expect(() =>
      addMethods(server, {
        name: "tools2",
        methods: { "tools/call": { eras: ["modern"], handler: () => ({}) } },
      }),
    ).toThrow(/already declared by the tools family/);
  });
});
