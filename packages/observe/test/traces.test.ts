/**
 * `otelTraces(api)` with the real OpenTelemetry SDK: one SERVER span per MCP request, named and
 * attributed after the MCP semantic conventions, parented from `_meta`, the HTTP headers, the host's
 * span or X-Ray; the tools' and the stores' spans nested under it; failures on the span; and spans
 * reaching an OTLP/HTTP collector.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as api from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { memoryStores } from "@portico/core";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { observe } from "../src/index.ts";
import { otelTraces } from "../src/otel/index.ts";
import { only, registerOtel, seen, serverSpans, tracedServer } from "./_otel.ts";
import { initializeRequest, legacyRequest, modernRequest, URL_ } from "./_requests.ts";
import { observedServer, requestLines, TRACE_ID, TRACEPARENT } from "./_server.ts";

const otel = registerOtel();
afterEach(() => otel.reset());
afterAll(() => otel.shutdown());

const call = (name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>) =>
  meta === undefined ? { name, arguments: args } : { name, arguments: args, _meta: meta };
const tool = (name: string, args: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  modernRequest("tools/call", call(name, args), headers);

const HTTP_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const HTTP_TRACEPARENT = `00-${HTTP_TRACE_ID}-b7ad6b7169203331-01`;
const XRAY_TRACE_ID = "5759e988bd862e3fe1be46a994272793";
const xrayHeader = (sampled: 0 | 1) =>
  `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=${sampled}`;

const readMemo = () => modernRequest("resources/read", { uri: "memo://one" }, { "mcp-name": "memo://one" });
const parentOf = (span: ReadableSpan) => span.parentSpanContext;
const linksOf = (span: ReadableSpan) =>
  span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, ...l.attributes }));

describe("the server span", () => {
  it("tools/call: SERVER, `tools/call {tool}`, the conventions' attributes, no parent without context", async () => {
    const { handler } = tracedServer();
    const res = await handler.fetch(tool("add", { a: 2, b: 3 }));
    expect(await res.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
    const span = only(otel.spans(), "tools/call add");
    expect(span.kind).toBe(api.SpanKind.SERVER);
    expect(span.attributes).toStrictEqual({
      "mcp.method.name": "tools/call",
      "jsonrpc.request.id": "1",
      "mcp.protocol.version": "2026-07-28",
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "add",
      "network.transport": "tcp",
      "network.protocol.name": "http",
      "portico.era": "modern",
      "portico.cold_start": expect.any(Boolean),
      "portico.outcome": "ok",
      "portico.streamed": false,
    });
    expect(span.status.code).toBe(api.SpanStatusCode.UNSET);
    expect(parentOf(span)).toBeUndefined();
    expect(span.links).toStrictEqual([]);
    expect(span.instrumentationScope.name).toBe("@portico/observe");
  });

  it("ties the request's log lines to its span, and the span to the host's request id", async () => {
    const { handler, lines } = tracedServer();
    await handler.fetch(tool("add", { a: 2, b: 3 }), undefined, { requestId: "host-7" });
    const span = only(otel.spans(), "tools/call add");
    expect(span.attributes["portico.host_request_id"]).toBe("host-7");
    // No context came with the request: the span began a trace, and the lines name it.
    const { traceId, spanId } = span.spanContext();
    const line = lines.find((l) => l.msg === "mcp request");
    expect(line).toMatchObject({ traceId, spanId, hostRequestId: "host-7" });
    expect(lines.find((l) => l.msg === "adding")).toMatchObject({ traceId, spanId });
  });

  it("prompts/get: `prompts/get {prompt}` with gen_ai.prompt.name", async () => {
    const { handler } = tracedServer();
    await handler.fetch(modernRequest("prompts/get", { name: "greet" }));
    const span = only(otel.spans(), "prompts/get greet");
    expect(span.attributes).toMatchObject({
      "mcp.method.name": "prompts/get",
      "gen_ai.prompt.name": "greet",
    });
    expect(span.attributes["gen_ai.operation.name"]).toBeUndefined();
    expect(span.attributes["gen_ai.tool.name"]).toBeUndefined();
  });

  it("resources/read: the URI as mcp.resource.uri, in the name only with resourceUriInName", async () => {
    const { handler } = tracedServer();
    await handler.fetch(readMemo());
    const span = only(otel.spans(), "resources/read");
    expect(span.attributes).toMatchObject({
      "mcp.method.name": "resources/read",
      "mcp.resource.uri": "memo://one",
    });
    otel.reset();
    const named = tracedServer({ resourceUriInName: true });
    await named.handler.fetch(readMemo());
    expect(serverSpans(otel.spans()).map((s) => s.name)).toStrictEqual(["resources/read memo://one"]);
  });

  it("tools/list: the method alone, no target attributes", async () => {
    const { handler } = tracedServer();
    await handler.fetch(modernRequest("tools/list"));
    const span = only(otel.spans(), "tools/list");
    expect(
      Object.keys(span.attributes).filter((k) => k.startsWith("gen_ai.") || k.startsWith("mcp.resource")),
    ).toStrictEqual([]);
    expect(span.attributes).toMatchObject({ "mcp.method.name": "tools/list", "portico.outcome": "ok" });
  });

  it("legacy era: mcp.session.id, and the store calls made in the request as its children", async () => {
    const { handler } = tracedServer();
    const init = await handler.fetch(initializeRequest());
    const session = init.headers.get("mcp-session-id") ?? "";
    expect(session).not.toBe("");
    // A progress notification makes the answer a stream, whose events the session's stores keep.
    const params = { name: "halfway", arguments: {}, _meta: { progressToken: "p1" } };
    const res = await handler.fetch(
      legacyRequest(
        { jsonrpc: "2.0", id: 7, method: "tools/call", params },
        { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
      ),
    );
    expect(await res.text()).toContain('"text":"done"');
    const span = only(otel.spans(), "tools/call halfway");
    expect(span.attributes).toMatchObject({
      "mcp.session.id": session,
      "jsonrpc.request.id": "7",
      "mcp.protocol.version": "2025-11-25",
      "portico.era": "legacy",
      "portico.streamed": true,
    });
    // The initialize that opened the session has its own span, its store calls under it.
    const opening = only(otel.spans(), "initialize");
    expect(opening.kind).toBe(api.SpanKind.SERVER);
    expect(opening.attributes).toMatchObject({
      "mcp.method.name": "initialize",
      "mcp.session.id": session,
      "mcp.protocol.version": "2025-11-25",
      "portico.era": "legacy",
      "portico.outcome": "ok",
    });
    const stores = otel.spans().filter((s) => s.name.startsWith("portico.store "));
    const under = (parent: (typeof stores)[number]) =>
      stores
        .filter((s) => parentOf(s)?.spanId === parent.spanContext().spanId)
        .map((s) => s.attributes["portico.store.operation"]);
    expect(under(opening)).toContain("sessions.create");
    expect(under(span)).toContain("events.append");
    // The session lookup ran before the middleware chain, yet it is the request's child: the
    // handler ran the HTTP request in the tracer's scope, and the span starts with the lookup.
    expect(under(span)).toContain("sessions.get");
    const lookup = stores.find(
      (s) =>
        s.attributes["portico.store.operation"] === "sessions.get" &&
        parentOf(s)?.spanId === span.spanContext().spanId,
    ) as ReadableSpan;
    const ns = ([seconds, nanos]: readonly [number, number]) => seconds * 1e9 + nanos;
    expect(ns(lookup.startTime)).toBe(ns(span.startTime));
    expect(ns(lookup.endTime)).toBeGreaterThanOrEqual(ns(lookup.startTime));
    expect(ns(lookup.endTime)).toBeLessThanOrEqual(ns(span.endTime));
    for (const store of stores) {
      expect(store.kind).toBe(api.SpanKind.CLIENT);
      expect(store.name).toBe(`portico.store ${String(store.attributes["portico.store.operation"])}`);
      // Every store call has a request span as its parent: no orphan root spans.
      const parent = [opening, span].find((s) => s.spanContext().spanId === parentOf(store)?.spanId);
      expect(parent).toBeDefined();
      expect(store.spanContext().traceId).toBe(parent?.spanContext().traceId);
    }
  });

  it("legacy era: a batch's first request adopts the session lookup; a notification's goes to its HTTP span", async () => {
    const { handler } = tracedServer();
    const init = await handler.fetch(legacyPost(URL_, initializeBody(1, { protocolVersion: "2025-03-26" })));
    const session = init.headers.get("mcp-session-id") ?? "";
    const headers = { "mcp-session-id": session, "mcp-protocol-version": "2025-03-26" };
    otel.reset();
    await handler.fetch(legacyRequest({ jsonrpc: "2.0", method: "notifications/initialized" }, headers));
    // A POST of a notification is no MCP request: an HTTP span, its lookup under it (no orphan).
    const [notified, ...rest] = otel.spans().sort((x, y) => (x.name < y.name ? -1 : 1));
    expect(notified?.name).toBe("POST");
    expect(notified?.kind).toBe(api.SpanKind.SERVER);
    expect(notified?.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.response.status_code": 202,
      "mcp.session.id": session,
    });
    expect(rest.map((s) => s.name)).toStrictEqual(["portico.store sessions.get"]);
    expect(parentOf(rest[0] as ReadableSpan)?.spanId).toBe(notified?.spanContext().spanId);
    otel.reset();
    const add = (id: number, a: number) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "add", arguments: { a, b: 1 } },
    });
    const res = await handler.fetch(legacyRequest([add(1, 1), add(2, 2)], headers));
    expect(await res.text()).toContain('"text":"3"');
    const [first, second] = serverSpans(otel.spans()).sort(
      (x, y) => Number(x.attributes["jsonrpc.request.id"]) - Number(y.attributes["jsonrpc.request.id"]),
    );
    const lookups = otel.spans().filter((s) => s.name === "portico.store sessions.get");
    expect(lookups).toHaveLength(1);
    expect(parentOf(lookups[0] as ReadableSpan)?.spanId).toBe(first?.spanContext().spanId);
    expect(second).toBeDefined();
  });

  it("adds the tool's arguments (credentials redacted) only when asked", async () => {
    const { handler } = tracedServer({ arguments: true });
    await handler.fetch(tool("add", { a: 2, b: 3, token: "s3cret" }));
    expect(only(otel.spans(), "tools/call add").attributes["gen_ai.tool.call.arguments"]).toBe(
      '{"a":2,"b":3,"token":"[redacted]"}',
    );
  });

  it("redacts the arguments with observe's own redact list too, as the request line does", async () => {
    const { handler } = observedServer({
      traces: otelTraces(api, { arguments: true }),
      redact: ["ssn", "arguments.card.number"],
      arguments: true,
    });
    await handler.fetch(
      tool("add", { a: 2, b: 3, ssn: "123-45-6789", card: { number: "4111111111111111", exp: "12/30" } }),
    );
    const attribute = String(only(otel.spans(), "tools/call add").attributes["gen_ai.tool.call.arguments"]);
    expect(attribute).not.toContain("123-45-6789");
    expect(attribute).not.toContain("4111111111111111");
    expect(JSON.parse(attribute)).toStrictEqual({
      a: 2,
      b: 3,
      ssn: "[redacted]",
      card: { number: "[redacted]", exp: "12/30" },
    });
  });

  it("cuts a made-up tool name in the span's name and attributes", async () => {
    const { handler } = tracedServer();
    const name = "n".repeat(300_000);
    await handler.fetch(tool(name, {}));
    const [span] = serverSpans(otel.spans());
    expect(span?.name.length).toBeLessThanOrEqual("tools/call ".length + 257);
    expect(String(span?.attributes["gen_ai.tool.name"]).length).toBeLessThanOrEqual(257);
  });
});

describe("context propagation", () => {
  it("takes the parent from _meta.traceparent (with tracestate and baggage), linking the HTTP traceparent", async () => {
    const { handler } = tracedServer();
    const meta = { traceparent: TRACEPARENT, tracestate: "vendor=abc", baggage: "tenant=acme" };
    await handler.fetch(
      modernRequest("tools/call", call("lookup", { q: "x" }, meta), { traceparent: HTTP_TRACEPARENT }),
    );
    const span = only(otel.spans(), "tools/call lookup");
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(span)).toMatchObject({ traceId: TRACE_ID, spanId: "00f067aa0ba902b7", isRemote: true });
    expect(span.spanContext().traceState?.get("vendor")).toBe("abc");
    expect(linksOf(span)).toStrictEqual([
      { traceId: HTTP_TRACE_ID, spanId: "b7ad6b7169203331", "portico.link.source": "traceparent" },
    ]);
    expect(seen.baggage).toBe("acme");
  });

  it("takes the parent from the HTTP traceparent header when _meta has none", async () => {
    const { handler } = tracedServer();
    await handler.fetch(tool("add", { a: 1, b: 1 }, { traceparent: HTTP_TRACEPARENT }));
    const span = only(otel.spans(), "tools/call add");
    expect(parentOf(span)).toMatchObject({ traceId: HTTP_TRACE_ID, spanId: "b7ad6b7169203331" });
    expect(span.links).toStrictEqual([]);
  });

  it("nests under the span a host instrumentation made for the HTTP request, or links it", async () => {
    const { handler } = tracedServer();
    const host = api.trace.getTracer("host");
    const hosted = (request: Request) =>
      host.startActiveSpan("POST /mcp", async (span) => {
        try {
          return await handler.fetch(request);
        } finally {
          span.end();
        }
      });
    await hosted(tool("add", { a: 1, b: 1 }));
    const http = only(otel.spans(), "POST /mcp");
    const span = only(otel.spans(), "tools/call add");
    expect(parentOf(span)?.spanId).toBe(http.spanContext().spanId);
    otel.reset();
    await hosted(modernRequest("tools/call", call("add", { a: 1, b: 1 }, { traceparent: TRACEPARENT })));
    const linked = only(otel.spans(), "tools/call add");
    const host2 = only(otel.spans(), "POST /mcp");
    expect(parentOf(linked)?.spanId).toBe("00f067aa0ba902b7");
    const { traceId, spanId } = host2.spanContext();
    expect(linksOf(linked)).toStrictEqual([{ traceId, spanId, "portico.link.source": "host" }]);
  });

  it("X-Ray: a sampled header is the parent when nothing else gives one, else a link", async () => {
    const { handler } = tracedServer();
    await handler.fetch(tool("add", { a: 1, b: 1 }, { "x-amzn-trace-id": xrayHeader(1) }));
    const parented = only(otel.spans(), "tools/call add");
    expect(parented.spanContext().traceId).toBe(XRAY_TRACE_ID);
    expect(parentOf(parented)).toMatchObject({ traceId: XRAY_TRACE_ID, spanId: "53995c3f42cd8ad8" });
    expect(parented.links).toStrictEqual([]);
    otel.reset();
    await handler.fetch(
      modernRequest("tools/call", call("add", { a: 1, b: 1 }, { traceparent: TRACEPARENT }), {
        "x-amzn-trace-id": xrayHeader(1),
      }),
    );
    const linked = only(otel.spans(), "tools/call add");
    expect(parentOf(linked)?.spanId).toBe("00f067aa0ba902b7");
    expect(linksOf(linked)).toStrictEqual([
      { traceId: XRAY_TRACE_ID, spanId: "53995c3f42cd8ad8", "portico.link.source": "x-ray" },
    ]);
  });

  it("a tool's own span (startActiveSpan) nests under the server span", async () => {
    const { handler } = tracedServer();
    await handler.fetch(tool("lookup", { q: "x" }));
    const server = only(otel.spans(), "tools/call lookup");
    const own = only(otel.spans(), "lookup db");
    expect(own.spanContext().traceId).toBe(server.spanContext().traceId);
    expect(parentOf(own)?.spanId).toBe(server.spanContext().spanId);
    expect(own.instrumentationScope.name).toBe("lookup-tool");
  });
});

describe("server→client input", () => {
  it("an MRTR round trip: a CLIENT elicitation/create span per round, input_required then answered", async () => {
    const { handler } = tracedServer();
    const first = await (await handler.fetch(tool("ask"))).json();
    expect(first.result.resultType).toBe("input_required");
    const [key] = Object.keys(first.result.inputRequests);
    const retry = {
      ...call("ask"),
      requestState: first.result.requestState,
      inputResponses: { [key as string]: { action: "accept", content: {} } },
    };
    await handler.fetch(modernRequest("tools/call", retry));
    const rounds = otel.spans().filter((s) => s.name === "elicitation/create");
    const servers = serverSpans(otel.spans());
    expect(rounds.map((s) => s.kind)).toStrictEqual([api.SpanKind.CLIENT, api.SpanKind.CLIENT]);
    expect(rounds.map((s) => s.attributes["portico.outcome"])).toStrictEqual(["input_required", "ok"]);
    expect(rounds.map((s) => s.attributes["mcp.method.name"])).toStrictEqual([
      "elicitation/create",
      "elicitation/create",
    ]);
    expect(rounds.map((s) => s.status.code)).toStrictEqual([
      api.SpanStatusCode.UNSET,
      api.SpanStatusCode.UNSET,
    ]);
    // Each round is a child of its own request's server span.
    expect(rounds.map((s) => parentOf(s)?.spanId)).toStrictEqual(servers.map((s) => s.spanContext().spanId));
  });
});

describe("failures on the span", () => {
  it("an MCP error: status ERROR with its message, error.type and rpc.response.status_code the code", async () => {
    const { handler } = tracedServer();
    await handler.fetch(tool("invalid"));
    const span = only(otel.spans(), "tools/call invalid");
    expect(span.status).toStrictEqual({ code: api.SpanStatusCode.ERROR, message: "bad cursor" });
    expect(span.attributes).toMatchObject({
      "error.type": "-32602",
      "rpc.response.status_code": "-32602",
      "portico.outcome": "error",
    });
  });

  it("an isError result: error.type tool_error, status ERROR", async () => {
    const { handler } = tracedServer();
    await handler.fetch(tool("refuse"));
    const span = only(otel.spans(), "tools/call refuse");
    expect(span.status.code).toBe(api.SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ "error.type": "tool_error", "portico.outcome": "tool_error" });
    expect(span.attributes["rpc.response.status_code"]).toBeUndefined();
  });

  it("a crash in the chain: error.type its name, the exception recorded", async () => {
    const { server, handler } = tracedServer();
    server.use(async (c, next) => {
      if (c.method === "prompts/list") throw new TypeError("no prompts today");
      return next();
    });
    await handler.fetch(modernRequest("prompts/list"));
    const span = only(otel.spans(), "prompts/list");
    expect(span.status).toStrictEqual({ code: api.SpanStatusCode.ERROR, message: "no prompts today" });
    expect(span.attributes["error.type"]).toBe("TypeError");
    expect(span.events.map((e) => e.name)).toStrictEqual(["exception"]);
    expect(span.events[0]?.attributes).toMatchObject({
      "exception.type": "TypeError",
      "exception.message": "no prompts today",
    });
  });

  it("a credential in a crash's message or stack stays out of the span, as out of the log", async () => {
    const { server, handler } = tracedServer();
    server.use(async (c, next) => {
      if (c.method === "prompts/list") throw new Error("upstream refused Bearer abc.def-123 for bob");
      return next();
    });
    await handler.fetch(modernRequest("prompts/list"));
    const span = only(otel.spans(), "prompts/list");
    expect(span.status.message).toBe("upstream refused Bearer [redacted] for bob");
    const exception = span.events[0]?.attributes ?? {};
    expect(exception["exception.message"]).toBe("upstream refused Bearer [redacted] for bob");
    expect(String(exception["exception.stacktrace"])).toContain("Bearer [redacted]");
    expect(JSON.stringify([span.status, span.attributes, span.events])).not.toContain("abc.def-123");
  });

  it("a cancelled call: error.type cancelled", async () => {
    const { handler } = tracedServer();
    await handler.fetch(tool("slow"), undefined, { deadline: Date.now() + 1100 });
    const span = only(otel.spans(), "tools/call slow");
    expect(span.attributes).toMatchObject({ "error.type": "cancelled", "portico.outcome": "cancelled" });
    expect(span.status.code).toBe(api.SpanStatusCode.ERROR);
  });

  it("a failed store call: its span has status ERROR and error.type the error's name", async () => {
    const ops = observe({ sink: () => {}, traces: otelTraces(api) });
    const given = memoryStores();
    const stores = ops.stores({
      ...given,
      sessions: { ...given.sessions, get: () => Promise.reject(new RangeError("store down")) },
    });
    const key = { kind: "t", id: "1" };
    await expect(stores.sessions.get(key)).rejects.toThrow("store down"); // outside any span: none
    await api.trace.getTracer("work").startActiveSpan("work", async (span) => {
      await expect(stores.sessions.get(key)).rejects.toThrow("store down");
      span.end();
    });
    const failed = only(otel.spans(), "portico.store sessions.get");
    expect(failed.status).toStrictEqual({ code: api.SpanStatusCode.ERROR, message: "store down" });
    expect(failed.attributes).toStrictEqual({
      "portico.store.operation": "sessions.get",
      "error.type": "RangeError",
    });
    expect(parentOf(failed)?.spanId).toBe(only(otel.spans(), "work").spanContext().spanId);
  });

  it("a broken tracer never fails the request", async () => {
    const broken = {
      startSpan: () => {
        throw new Error("tracer broken");
      },
      startActiveSpan: () => {
        throw new Error("tracer broken");
      },
    } as unknown as api.Tracer;
    const { handler, lines } = observedServer({ traces: otelTraces(api, { tracer: broken }) });
    const res = await handler.fetch(tool("add", { a: 2, b: 3 }));
    expect(await res.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
    expect(requestLines(lines)[0]).toMatchObject({ outcome: "ok" });

    // A span whose end throws (a broken exporter behind a synchronous processor).
    const real = api.trace.getTracer("real");
    const tracer = {
      startSpan: (name: string, options?: api.SpanOptions, context?: api.Context) => {
        const span = real.startSpan(name, options, context);
        span.end = () => {
          throw new Error("exporter exploded");
        };
        return span;
      },
    } as unknown as api.Tracer;
    const second = observedServer({ traces: otelTraces(api, { tracer }) });
    const again = await second.handler.fetch(tool("add", { a: 1, b: 1 }));
    expect(await again.json()).toMatchObject({ result: { content: [{ text: "2" }] } });
  });
});

describe("packaging", () => {
  it("never imports @opentelemetry/* at run time (types only), and only the /otel entry names it", () => {
    const src = fileURLToPath(new URL("../src/", import.meta.url));
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));
    let typeImports = 0;
    for (const file of files) {
      const text = readFileSync(`${src}${file}`, "utf8");
      const imports = [...text.matchAll(/^\s*(import|export)\b[^;]*?from\s+"(@opentelemetry\/[^"]+)"/gms)];
      for (const [statement] of imports) expect(statement, file).toMatch(/^\s*(import|export)\s+type\b/);
      // Types that name the optional peer live under src/otel/ (the `@portico/observe/otel` entry).
      if (imports.length > 0) expect(file, file).toMatch(/^otel\//);
      typeImports += imports.length;
      expect(text, file).not.toMatch(/(import|require)\(\s*["']@opentelemetry\//);
    }
    expect(typeImports).toBeGreaterThan(0); // the check above saw the type imports
    expect(readFileSync(`${src}index.ts`, "utf8")).not.toMatch(/from "\.\/otel\//);
  });
});

describe("OTLP/HTTP export", () => {
  interface Received {
    method: string | undefined;
    url: string | undefined;
    contentType: string | undefined;
    body: Buffer;
  }
  const received: Received[] = [];
  const collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      received.push({ method: req.method, url: req.url, contentType: req.headers["content-type"], body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end("{}");
    });
  });
  let provider: TracerProvider | undefined;

  beforeAll(() => new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve)));
  afterAll(async () => {
    await provider?.shutdown();
    collector.closeAllConnections();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
  });

  it("sends the server span to a collector's /v1/traces", async () => {
    const { port } = collector.address() as AddressInfo;
    const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces` });
    provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const { handler } = tracedServer({ tracer: provider.getTracer("otlp-test") });
    await handler.fetch(
      modernRequest("tools/call", call("add", { a: 2, b: 3 }, { traceparent: TRACEPARENT })),
    );
    await provider.forceFlush();

    const posts = received.filter((r) => r.method === "POST" && r.url === "/v1/traces");
    expect(posts.length).toBeGreaterThan(0);
    expect(posts[0]?.contentType).toContain("application/json");
    type Attribute = { key: string; value: { stringValue?: string } };
    type OtlpSpan = {
      name: string;
      traceId: string;
      parentSpanId: string;
      kind: number;
      attributes: Attribute[];
    };
    const spans = posts.flatMap((p) => {
      const doc = JSON.parse(p.body.toString("utf8")) as {
        resourceSpans: { scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[];
      };
      return doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    });
    const span = spans.find((s) => s.name === "tools/call add");
    expect(span).toMatchObject({ traceId: TRACE_ID, parentSpanId: "00f067aa0ba902b7", kind: 2 }); // SERVER
    expect(span?.attributes).toContainEqual({ key: "gen_ai.tool.name", value: { stringValue: "add" } });
    expect(span?.attributes).toContainEqual({ key: "mcp.method.name", value: { stringValue: "tools/call" } });
  });
});
