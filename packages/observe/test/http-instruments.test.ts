/**
 * HTTP requests that became no MCP request, and long-lived streams, as the instruments see them:
 * `metricHook` records, CloudWatch EMF documents (valid per the format), the OpenTelemetry meter and
 * SERVER spans with the real SDKs — and none of it for HTTP requests an MCP request covered.
 */
import * as api from "@opentelemetry/api";
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import {
  addTool,
  createHandler,
  type HandlerOptions,
  McpServer,
  memoryStores,
  StoreUnavailableError,
} from "@portico/core";
import { initializeBody, legacyPost } from "@portico/test-kit";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  emfMetrics,
  type LogRecord,
  type Metric,
  metricHook,
  type ObserveOptions,
  observe,
} from "../src/index.ts";
import { otelMetrics, otelTraces } from "../src/otel/index.ts";
import { emfProblems } from "./_emf.ts";
import { registerOtel } from "./_otel.ts";
import { initializeRequest, legacyRequest, modernRequest, URL_ } from "./_requests.ts";
import { TRACE_ID, TRACEPARENT } from "./_server.ts";

const otel = registerOtel();
afterEach(() => otel.reset());
afterAll(() => otel.shutdown());

class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** A server with every instrument, on stores whose session reads fail while `broken.on`. */
function instrumented(options: ObserveOptions = {}, handlerOptions: HandlerOptions = {}) {
  const metrics: Metric[] = [];
  const emf: Record<string, unknown>[] = [];
  const lines: LogRecord[] = [];
  const reader = new TestReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({ readers: [reader] });
  const ops = observe({
    sink: (record) => lines.push(record),
    metrics: emfMetrics({ write: (line) => emf.push(JSON.parse(line)), service: "calc" }),
    traces: otelTraces(api),
    instruments: [metricHook((m) => metrics.push(m)), otelMetrics(provider.getMeter("test"))],
    ...options,
  });
  const server = new McpServer({ name: "instrumented", version: "1.0.0" });
  server.use(ops);
  addTool(server, "add", {}, () => "3");
  const broken = { on: false };
  const stores = memoryStores();
  const get = stores.sessions.get.bind(stores.sessions);
  stores.sessions.get = (key) => (broken.on ? Promise.reject(new StoreUnavailableError("down")) : get(key));
  const handler = createHandler(server, { stores: ops.stores(stores), onError: () => {}, ...handlerOptions });
  const histogram = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
    return { unit: metric?.descriptor.unit, points: (metric?.dataPoints ?? []) as DataPoint<Histogram>[] };
  };
  return { handler, metrics, emf, lines, broken, histogram, close: () => provider.shutdown() };
}

const named = (metrics: Metric[], name: string) => metrics.filter((m) => m.name === name);

async function openSession(handler: ReturnType<typeof instrumented>["handler"]) {
  const init = await handler.fetch(initializeRequest());
  const session = init.headers.get("mcp-session-id") ?? "";
  return { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
}

describe("HTTP requests that became no MCP request", () => {
  it("a refusal, a notification, a DELETE and a store failure: metrics by status, SERVER spans, EMF documents", async () => {
    const { handler, metrics, emf, lines, broken, histogram, close } = instrumented(
      {},
      {
        authenticate: (request) =>
          request.headers.get("authorization") === "Bearer ok"
            ? { subject: "a" }
            : new Response(null, { status: 401 }),
      },
    );
    try {
      const auth = { authorization: "Bearer ok" };
      expect((await handler.fetch(modernRequest("tools/call", { name: "add", arguments: {} }))).status).toBe(
        401,
      );
      const init = await handler.fetch(legacyPost(URL_, initializeBody(1), { headers: auth }));
      const session = {
        "mcp-session-id": init.headers.get("mcp-session-id") ?? "",
        "mcp-protocol-version": "2025-11-25",
      };
      const notified = await handler.fetch(
        legacyRequest(
          { jsonrpc: "2.0", method: "notifications/initialized" },
          { ...session, ...auth, traceparent: TRACEPARENT },
        ),
        undefined,
        { requestId: "req-n" },
      );
      expect(notified.status).toBe(202);
      broken.on = true;
      const down = await handler.fetch(
        legacyRequest({ jsonrpc: "2.0", method: "notifications/initialized" }, { ...session, ...auth }),
      );
      expect(down.status).toBe(503);
      broken.on = false;
      const deleted = await handler.fetch(
        new Request(URL_, { method: "DELETE", headers: { ...session, ...auth } }),
      );
      expect(deleted.status).toBe(200);

      // The store outage, answered 503 outside any MCP request, has its error line.
      expect(lines.filter((l) => l.msg === "http request").map((l) => [l.level, l.status])).toStrictEqual([
        ["warn", 401],
        ["info", 202],
        ["error", 503],
        ["info", 200],
      ]);

      // metricHook: one HttpRequests per HTTP request that became no MCP request, by method and status.
      expect(named(metrics, "HttpRequests").map((m) => m.dimensions)).toStrictEqual([
        { HttpMethod: "POST", Status: "401" },
        { HttpMethod: "POST", Status: "202" },
        { HttpMethod: "POST", Status: "503" },
        { HttpMethod: "DELETE", Status: "200" },
      ]);
      for (const m of named(metrics, "HttpDuration")) expect(m.value).toBeGreaterThanOrEqual(0);
      // The initialize is an MCP request: its own metrics, no HTTP ones.
      expect(named(metrics, "Requests").map((m) => m.dimensions.Method)).toStrictEqual(["initialize"]);

      // EMF: valid documents, by Status and by HttpMethod + Status, with the request's ids.
      const http = emf.filter((d) => "HttpRequests" in d);
      for (const doc of emf) expect(emfProblems(doc)).toStrictEqual([]);
      expect(http.map((d) => [d.HttpMethod, d.Status])).toStrictEqual([
        ["POST", "401"],
        ["POST", "202"],
        ["POST", "503"],
        ["DELETE", "200"],
      ]);
      expect((http[0] as { _aws: { CloudWatchMetrics: unknown } })._aws.CloudWatchMetrics).toStrictEqual([
        {
          Namespace: "Portico",
          Dimensions: [
            ["Service", "Status"],
            ["Service", "HttpMethod", "Status"],
          ],
          Metrics: [
            { Name: "HttpRequests", Unit: "Count" },
            { Name: "HttpDuration", Unit: "Milliseconds" },
          ],
        },
      ]);
      expect(http[1]).toMatchObject({
        Service: "calc",
        hostRequestId: "req-n",
        traceId: TRACE_ID,
        sessionId: session["mcp-session-id"],
      });
      // The notification's session lookup went out with its document (not held for a later request).
      const lookups = emf.filter((d) => d.Operation === "sessions.get");
      expect(lookups.length).toBeGreaterThan(0);
      expect(emf.indexOf(lookups.at(-1) as Record<string, unknown>)).toBeGreaterThan(
        emf.indexOf(http[2] as Record<string, unknown>),
      );

      // OpenTelemetry meter: portico.http.request.duration in seconds; error.type only for the 5xx.
      const { unit, points } = await histogram("portico.http.request.duration");
      expect(unit).toBe("s");
      const byStatus = Object.fromEntries(points.map((p) => [p.attributes["http.response.status_code"], p]));
      expect(Object.keys(byStatus).sort()).toStrictEqual(["200", "202", "401", "503"]);
      expect(byStatus[503]?.attributes).toStrictEqual({
        "http.request.method": "POST",
        "http.response.status_code": 503,
        "error.type": "503",
      });
      expect(byStatus[401]?.attributes["error.type"]).toBeUndefined();
      expect(byStatus[200]?.attributes["http.request.method"]).toBe("DELETE");

      // Spans: one SERVER span per such request, named by its method; an error only for the 5xx.
      const server = otel
        .spans()
        .filter((s) => s.kind === api.SpanKind.SERVER && s.attributes["http.request.method"] !== undefined);
      expect(server.map((s) => [s.name, s.attributes["http.response.status_code"]])).toStrictEqual([
        ["POST", 401],
        ["POST", 202],
        ["POST", 503],
        ["DELETE", 200],
      ]);
      const [refused, note, failed, gone] = server as [
        ReadableSpan,
        ReadableSpan,
        ReadableSpan,
        ReadableSpan,
      ];
      expect(refused.status.code).toBe(api.SpanStatusCode.UNSET);
      expect(refused.attributes["mcp.method.name"]).toBe("tools/call");
      expect(failed.status.code).toBe(api.SpanStatusCode.ERROR);
      expect(failed.attributes["error.type"]).toBe("503");
      // The notification continues the caller's trace; its lookup is its child, inside its time.
      expect(note.spanContext().traceId).toBe(TRACE_ID);
      expect(note.attributes).toMatchObject({
        "mcp.session.id": session["mcp-session-id"],
        "portico.host_request_id": "req-n",
      });
      const children = (span: ReadableSpan) =>
        otel.spans().filter((s) => s.parentSpanContext?.spanId === span.spanContext().spanId);
      const [lookup] = children(note);
      expect(lookup?.name).toBe("portico.store sessions.get");
      const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
      expect(ms(lookup?.startTime as [number, number])).toBeGreaterThanOrEqual(ms(note.startTime));
      expect(ms(lookup?.endTime as [number, number])).toBeLessThanOrEqual(ms(note.endTime));
      // The failed lookup is the 503's child, failed; the DELETE has its lookup and the deletion.
      expect(children(failed).map((s) => [s.name, s.status.code])).toStrictEqual([
        ["portico.store sessions.get", api.SpanStatusCode.ERROR],
      ]);
      expect(children(gone).map((s) => s.name)).toContain("portico.store sessions.delete");
    } finally {
      await close();
    }
  });

  it("a listen stream and a legacy GET stream: StreamDuration and StreamBytes by kind and who ended it", async () => {
    const { handler, metrics, emf, histogram, close } = instrumented({}, { maxStreamMs: 200 });
    try {
      const listen = await handler.fetch(
        modernRequest("subscriptions/listen", { notifications: { toolsListChanged: true } }),
      );
      const reader = listen.body?.getReader();
      await reader?.read();
      await reader?.cancel();
      const session = await openSession(handler);
      const get = await handler.fetch(
        new Request(URL_, { method: "GET", headers: { ...session, accept: "text/event-stream" } }),
      );
      expect(get.status).toBe(200);
      await get.text(); // the server ends it at maxStreamMs
      await new Promise((resolve) => setTimeout(resolve, 20));
      const durations = named(metrics, "StreamDuration");
      expect(durations.map((m) => m.dimensions)).toStrictEqual([
        { Stream: "listen", EndedBy: "client" },
        { Stream: "get", EndedBy: "server" },
      ]);
      expect(durations[1]?.value).toBeGreaterThanOrEqual(150);
      const bytes = named(metrics, "StreamBytes");
      expect(bytes.map((m) => m.unit)).toStrictEqual(["Bytes", "Bytes"]);
      expect(bytes[0]?.value).toBeGreaterThan(0); // the acknowledgement
      // The listen is an MCP request (its own metrics); the GET an HTTP request as well.
      expect(named(metrics, "HttpRequests").map((m) => m.dimensions)).toStrictEqual([
        { HttpMethod: "GET", Status: "200" },
      ]);
      const streams = emf.filter((d) => "StreamDuration" in d);
      for (const doc of streams) expect(emfProblems(doc)).toStrictEqual([]);
      expect(streams.map((d) => [d.Stream, d.EndedBy])).toStrictEqual([
        ["listen", "client"],
        ["get", "server"],
      ]);
      const { unit, points } = await histogram("portico.stream.duration");
      expect(unit).toBe("s");
      expect(
        points
          .map((p) => p.attributes)
          .sort((a, b) => String(a["portico.stream.kind"]).localeCompare(String(b["portico.stream.kind"]))),
      ).toStrictEqual([
        { "portico.stream.kind": "get", "portico.stream.ended_by": "server" },
        { "portico.stream.kind": "listen", "portico.stream.ended_by": "client" },
      ]);
      expect((await histogram("portico.stream.size")).unit).toBe("By");
      // The GET's span: made when its response was, marked streamed.
      const span = otel.spans().find((s) => s.name === "GET");
      expect(span?.attributes["portico.streamed"]).toBe(true);
    } finally {
      await close();
    }
  });

  it("nothing for requests an MCP request covered; hooks hear requests even with lines off; a throwing instrument changes nothing", async () => {
    const heard: string[] = [];
    const { handler, close } = instrumented({
      requests: false,
      instruments: [
        {
          http: (end) => {
            heard.push(`${end.request.method} ${end.status}`);
            throw new Error("broken instrument");
          },
          stream: () => {
            throw new Error("broken instrument");
          },
        },
      ],
    });
    try {
      await handler.fetch(modernRequest("tools/call", { name: "add", arguments: {} }));
      const session = await openSession(handler);
      await handler.fetch(legacyRequest({ jsonrpc: "2.0", id: 2, method: "tools/list" }, session));
      expect(heard).toStrictEqual([]);
      const deleted = await handler.fetch(new Request(URL_, { method: "DELETE", headers: session }));
      expect(deleted.status).toBe(200);
      expect(heard).toStrictEqual(["DELETE 200"]);
    } finally {
      await close();
    }
  });
});
