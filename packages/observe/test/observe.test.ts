/**
 * `observe()`: one line per MCP request with its correlation fields and outcome, `ctx.logger` lines
 * carrying the same fields, errors as structured lines (stack server-side only), redaction, levels.
 */
import { McpServer, memoryStores, PorticoError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { observe, REDACTED } from "../src/index.ts";
import { initializeRequest, legacyRequest, modernRequest } from "./_requests.ts";
import { observedServer, requestLines, TRACE_ID, TRACEPARENT } from "./_server.ts";

const call = (name: string, args: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  modernRequest("tools/call", { name, arguments: args }, headers);

describe("the request line", () => {
  it("says what was called, how it ended, how long it took, and ties it to the host and the trace", async () => {
    const { lines, handler } = observedServer({ service: "calc" });
    const res = await handler.fetch(call("add", { a: 2, b: 3 }, { traceparent: TRACEPARENT }), undefined, {
      requestId: "host-req-1",
    });
    expect(res.status).toBe(200);
    const [line] = requestLines(lines);
    expect(line).toMatchObject({
      level: "info",
      msg: "mcp request",
      service: "calc",
      method: "tools/call",
      target: "add",
      era: "modern",
      protocolVersion: "2026-07-28",
      jsonrpcId: 1,
      hostRequestId: "host-req-1",
      traceId: TRACE_ID,
      parentSpanId: "00f067aa0ba902b7",
      outcome: "ok",
    });
    expect(typeof line?.durationMs).toBe("number");
    expect(typeof line?.coldStart).toBe("boolean");
    expect(line?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line?.time).toBeUndefined();
    expect(line).not.toHaveProperty("arguments");
    // The tool's own line carries the same correlation fields.
    const adding = lines.find((l) => l.msg === "adding");
    expect(adding).toMatchObject({
      level: "info",
      a: 2,
      b: 3,
      hostRequestId: "host-req-1",
      traceId: TRACE_ID,
    });
  });

  it("takes the trace from _meta.traceparent first, then the headers (W3C, then X-Ray)", async () => {
    const { lines, handler } = observedServer();
    const meta = `00-${"a".repeat(32)}-${"b".repeat(16)}-01`;
    await handler.fetch(
      modernRequest("tools/list", { _meta: { traceparent: meta } }, { traceparent: TRACEPARENT }),
    );
    await handler.fetch(
      modernRequest(
        "tools/list",
        {},
        { "x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" },
      ),
    );
    await handler.fetch(modernRequest("tools/list", {}, { traceparent: "00-not-a-trace" }));
    const [fromMeta, fromXRay, none] = requestLines(lines);
    expect(fromMeta?.traceId).toBe("a".repeat(32));
    expect(fromXRay?.traceId).toBe("5759e988bd862e3fe1be46a994272793");
    expect(none).not.toHaveProperty("traceId");
  });

  it("ignores _X_AMZN_TRACE_ID off Lambda (no AWS_LAMBDA_FUNCTION_NAME)", async () => {
    const { lines, handler } = observedServer();
    process.env._X_AMZN_TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    try {
      await handler.fetch(modernRequest("tools/list"));
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
    expect(requestLines(lines)[0]).not.toHaveProperty("traceId");
  });

  it("tells each ending apart: tool error, crash, MCP error, input required", async () => {
    const { lines, handler } = observedServer();
    for (const name of ["refuse", "crash", "invalid", "ask"]) await handler.fetch(call(name));
    await handler.fetch(call("add", { a: "x" }));
    const byTarget = Object.fromEntries(requestLines(lines).map((l) => [`${l.target}`, l]));
    expect(byTarget.refuse).toMatchObject({ level: "info", outcome: "tool_error" });
    expect(byTarget.crash).toMatchObject({ level: "info", outcome: "tool_error" });
    expect(byTarget.invalid).toMatchObject({
      level: "warn",
      outcome: "error",
      error: { kind: "mcp", code: -32602, message: "bad cursor" },
    });
    expect(byTarget.ask).toMatchObject({ outcome: "input_required" });
    // The crash's cause goes to onError: one error line with the stack and the request's fields.
    const crash = lines.find((l) => l.msg === "unhandled error");
    expect(crash).toMatchObject({
      level: "error",
      where: "tool crash",
      target: "crash",
      method: "tools/call",
      error: { name: "TypeError", message: "cannot read x of undefined" },
    });
    expect((crash?.error as { stack?: string } | undefined)?.stack).toContain(
      "TypeError: cannot read x of undefined",
    );
  });

  it("says cancelled when the host's deadline aborts the call", async () => {
    const { lines, handler } = observedServer({}, { deadlineMarginMs: 1000 });
    await handler.fetch(call("slow"), undefined, { deadline: Date.now() + 1100 });
    expect(requestLines(lines)[0]).toMatchObject({ target: "slow", outcome: "cancelled", level: "info" });
  });

  it("carries the session id in the legacy era", async () => {
    const { lines, handler } = observedServer();
    const init = await handler.fetch(initializeRequest());
    const session = init.headers.get("mcp-session-id") ?? "";
    await handler.fetch(
      legacyRequest(
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 1 } } },
        { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
      ),
    );
    const toolCall = requestLines(lines).find((l) => l.method === "tools/call");
    expect(toolCall).toMatchObject({
      era: "legacy",
      sessionId: session,
      protocolVersion: "2025-11-25",
      jsonrpcId: 2,
    });
    // The initialize that opened the session has its line too, naming the session it opened.
    const opening = requestLines(lines).find((l) => l.method === "initialize");
    expect(opening).toMatchObject({ era: "legacy", sessionId: session, outcome: "ok", level: "info" });
    expect(opening).not.toHaveProperty("target");
  });

  it("writes a subscriptions/listen line once its stream is open (the stream runs on after it)", async () => {
    const { lines, handler } = observedServer();
    const params = { notifications: { toolsListChanged: true } };
    const response = await handler.fetch(modernRequest("subscriptions/listen", params));
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const line = requestLines(lines).find((l) => l.method === "subscriptions/listen");
    expect(line).toMatchObject({ era: "modern", outcome: "ok", jsonrpcId: 1, level: "info" });
    await response.body?.cancel();
  });

  it("writes a refused initialize's line with its error, the session never opened", async () => {
    const { lines, handler } = observedServer({}, { maxSessionsPerCaller: 1 });
    const caller = { clientAddress: "198.51.100.4" };
    expect((await handler.fetch(initializeRequest(), undefined, caller)).status).toBe(200);
    const refused = await handler.fetch(initializeRequest(), undefined, caller);
    expect(refused.status).toBe(429);
    const [, second] = requestLines(lines).filter((l) => l.method === "initialize");
    expect(second).toMatchObject({ outcome: "error", error: { kind: "mcp", code: -32600 } });
  });
});

describe("HTTP lines", () => {
  const httpLines = (lines: Record<string, unknown>[]) => lines.filter((l) => l.msg === "http request");

  it("one line for each HTTP request that became no MCP request; none for those that did", async () => {
    const { lines, handler } = observedServer();
    const init = await handler.fetch(initializeRequest());
    const session = init.headers.get("mcp-session-id") ?? "";
    const headers = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    const host = { requestId: "req-1" };
    await handler.fetch(
      legacyRequest({ jsonrpc: "2.0", method: "notifications/initialized" }, headers),
      undefined,
      host,
    );
    await handler.fetch(call("add", { a: 1, b: 2 }));
    const gone = await handler.fetch(
      legacyRequest(
        { jsonrpc: "2.0", id: 3, method: "tools/list" },
        { ...headers, "mcp-session-id": "x".repeat(300) },
      ),
    );
    expect(gone.status).toBe(404);
    const deleted = await handler.fetch(
      new Request("http://127.0.0.1:3000/mcp", {
        method: "DELETE",
        headers: { ...headers, traceparent: TRACEPARENT },
      }),
      undefined,
      { requestId: "req-2" },
    );
    expect(deleted.status).toBe(200);
    expect(httpLines(lines)).toStrictEqual([
      expect.objectContaining({
        level: "info",
        httpMethod: "POST",
        status: 202,
        sessionId: session,
        hostRequestId: "req-1",
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({ level: "warn", httpMethod: "POST", status: 404, sessionId: "x".repeat(200) }),
      expect.objectContaining({
        level: "info",
        httpMethod: "DELETE",
        status: 200,
        sessionId: session,
        hostRequestId: "req-2",
        traceId: TRACE_ID,
      }),
    ]);
    // The initialize and the tool call have their MCP request lines only.
    expect(requestLines(lines).map((l) => l.method)).toStrictEqual(["initialize", "tools/call"]);
  });

  it("a request the authenticator refuses is a warn line with its status; a crash past the chain an error line", async () => {
    const { lines, handler } = observedServer(
      {},
      {
        authenticate: (request) =>
          request.headers.has("authorization") ? { subject: "a" } : new Response(null, { status: 401 }),
      },
    );
    expect((await handler.fetch(call("add", { a: 1, b: 2 }))).status).toBe(401);
    const bad = new Request("http://127.0.0.1:3000/mcp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: "Bearer t",
      },
      body: "{not json",
    });
    expect((await handler.fetch(bad)).status).toBe(400);
    expect(httpLines(lines)).toStrictEqual([
      expect.objectContaining({ level: "warn", httpMethod: "POST", status: 401 }),
      expect.objectContaining({ level: "warn", httpMethod: "POST", status: 400 }),
    ]);
    expect(JSON.stringify(lines)).not.toContain("Bearer");
  });

  it("a listen stream the client leaves, and a legacy GET stream the server ends, each get a stream ended line", async () => {
    const { lines, handler } = observedServer({}, { maxStreamMs: 300, maxListenStreamsPerCaller: 1 });
    const caller = { requestId: "listen-1", clientAddress: "198.51.100.7" };
    const openListen = () =>
      handler.fetch(
        modernRequest("subscriptions/listen", { notifications: { toolsListChanged: true } }),
        undefined,
        caller,
      );
    const listen = await openListen();
    const reader = listen.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain("notifications/subscriptions/acknowledged");
    expect((await openListen()).status).toBe(429); // the caller's one place is taken
    await reader?.cancel();
    // The client's cancel reached the server's stream through the followed body: its place is free.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await openListen();
    expect(again.status).toBe(200);
    await again.body?.cancel();
    const init = await handler.fetch(initializeRequest());
    const session = init.headers.get("mcp-session-id") ?? "";
    const get = await handler.fetch(
      new Request("http://127.0.0.1:3000/mcp", {
        method: "GET",
        headers: {
          accept: "text/event-stream",
          "mcp-session-id": session,
          "mcp-protocol-version": "2025-11-25",
        },
      }),
    );
    expect(get.status).toBe(200);
    await get.text(); // the server ends it at maxStreamMs
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ended = lines.filter((l) => l.msg === "stream ended");
    expect(ended.splice(1, 1)).toStrictEqual([expect.objectContaining({ endedBy: "client" })]); // `again`
    expect(ended).toStrictEqual([
      expect.objectContaining({
        level: "info",
        httpMethod: "POST",
        method: "subscriptions/listen",
        hostRequestId: "listen-1",
        endedBy: "client",
        bytes: expect.any(Number),
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({ httpMethod: "GET", sessionId: session, endedBy: "server" }),
    ]);
    expect((ended[0]?.bytes as number) > 0).toBe(true);
    expect(ended[1]?.durationMs as number).toBeGreaterThanOrEqual(250);
    // The GET also has its HTTP line when it opened (the listen its MCP request line).
    expect(lines.filter((l) => l.msg === "http request")).toStrictEqual([
      expect.objectContaining({ httpMethod: "GET", status: 200, streamed: true }),
    ]);
  });

  it("none with requests: false or level silent", async () => {
    for (const options of [{ requests: false }, { level: "silent" as const }]) {
      const { lines, handler } = observedServer(options);
      await handler.fetch(new Request("http://127.0.0.1:3000/mcp", { method: "DELETE" }));
      expect(httpLines(lines)).toStrictEqual([]);
    }
  });
});

describe("redaction", () => {
  it("never writes credentials, requestState or configured fields", async () => {
    const { lines, handler } = observedServer({ arguments: true, redact: ["arguments.card.number", "ssn"] });
    await handler.fetch(
      call("add", {
        a: 1,
        b: 2,
        password: "hunter2",
        card: { number: "4111111111111111", brand: "visa" },
        nested: { ssn: "123-45-6789", note: "Bearer abc.def.ghi" },
        requestState: "sealed",
      }),
    );
    const [line] = requestLines(lines);
    const text = JSON.stringify(line);
    for (const secret of ["hunter2", "4111111111111111", "123-45-6789", "abc.def.ghi", "sealed"]) {
      expect(text).not.toContain(secret);
    }
    expect(line?.arguments).toMatchObject({
      a: 1,
      password: REDACTED,
      card: { number: REDACTED, brand: "visa" },
      nested: { ssn: REDACTED, note: `Bearer ${REDACTED}` },
      requestState: REDACTED,
    });
  });

  it("applies to every logger line, the tools' included", () => {
    const lines: unknown[] = [];
    const ops = observe({ sink: (r) => lines.push(r) });
    ops.logger.child({ authorization: "Bearer t0ken" }).info("call", { headers: { Cookie: "a=b" } });
    expect(JSON.stringify(lines)).not.toMatch(/t0ken|a=b/);
  });
});

describe("levels and errors", () => {
  it("writes only lines at or above the level; silent writes none", async () => {
    const warn = observedServer({ level: "warn" });
    await warn.handler.fetch(call("add", { a: 1, b: 1 }));
    await warn.handler.fetch(call("invalid"));
    expect(warn.lines.map((l) => l.level)).toStrictEqual(["warn"]);
    const silent = observedServer({ level: "silent" });
    await silent.handler.fetch(call("crash"));
    expect(silent.lines).toStrictEqual([]);
    expect(() => observe({ level: "loud" as never })).toThrow(
      /level must be one of debug, info, warn, error, silent/,
    );
  });

  it("writes a Portico notice as one warn line with its code, and no stack", () => {
    const lines: Record<string, unknown>[] = [];
    const ops = observe({ sink: (r) => lines.push(r) });
    ops.onError(new PorticoError("host_not_allowed", "refused Host evil.example"), "host check");
    expect(lines).toStrictEqual([
      expect.objectContaining({
        level: "warn",
        msg: "refused Host evil.example",
        where: "host check",
        code: "host_not_allowed",
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain("stack");
  });

  it("survives a sink that throws", async () => {
    const ops = observe({
      sink: () => {
        throw new Error("disk full");
      },
    });
    expect(() => ops.logger.info("x")).not.toThrow();
  });

  it("writes no request lines with requests: false, yet keeps ctx.logger correlated", async () => {
    const { lines, handler } = observedServer({ requests: false });
    await handler.fetch(call("add", { a: 1, b: 1 }), undefined, { requestId: "r-9" });
    expect(requestLines(lines)).toStrictEqual([]);
    expect(lines).toStrictEqual([expect.objectContaining({ msg: "adding", hostRequestId: "r-9" })]);
  });
});

describe("level: silent with instruments", () => {
  it("feeds the instruments the correlation fields, and gives tools the root logger (nothing to copy per request)", async () => {
    const starts: Record<string, unknown>[] = [];
    const instrument = {
      request: (start: { fields: Record<string, unknown> }) => {
        starts.push(start.fields);
        return { end: () => {} };
      },
    };
    const { lines, handler, ops, server } = observedServer({ level: "silent", instruments: [instrument] });
    let seen: unknown;
    server.use((c, next) => next().finally(() => (seen = c.logger)));
    const response = await handler.fetch(call("add", { a: 1, b: 1 }), undefined, { requestId: "r-3" });
    expect(response.status).toBe(200);
    expect(starts).toStrictEqual([expect.objectContaining({ method: "tools/call", hostRequestId: "r-3" })]);
    expect(seen).toBe(ops.logger);
    expect(lines).toStrictEqual([]);
  });
});

describe("enabled: false", () => {
  it("installs nothing, leaves the stores alone, and still writes errors", async () => {
    const lines: Record<string, unknown>[] = [];
    const ops = observe({ enabled: false, sink: (r) => lines.push(r) });
    const server = new McpServer({ name: "off", version: "1" });
    server.use(ops);
    expect(server.middleware).toHaveLength(0);
    const stores = memoryStores();
    expect(ops.stores(stores)).toBe(stores);
    ops.onError(new Error("boom"), "tool x");
    expect(lines).toStrictEqual([expect.objectContaining({ level: "error", where: "tool x" })]);
  });
});
