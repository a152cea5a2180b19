/**
 * Metrics: the hook's records, CloudWatch EMF documents (valid per the format, one write per
 * request through the Lambda adapter, store metrics bounded in chunks), and the OpenTelemetry meter
 * with the real SDK.
 */

import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
} from "@opentelemetry/sdk-metrics";
import { handle, toEvent } from "@portico/adapter-lambda";
import { createHandler, memoryStores } from "@portico/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { batchedWriter, emfMetrics, MAX_VALUES, type Metric, metricHook, observe } from "../src/index.ts";
import { otelMetrics } from "../src/otel/index.ts";
import { emfProblems } from "./_emf.ts";
import { initializeRequest, legacyRequest, modernRequest } from "./_requests.ts";
import { observedServer, TRACE_ID, TRACEPARENT } from "./_server.ts";

const call = (name: string, args: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  modernRequest("tools/call", { name, arguments: args }, headers);

afterEach(() => vi.restoreAllMocks());

/** Lets the batching writers write what this turn of the event loop gathered. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("metricHook", () => {
  it("hands over each request's counts and duration by method and target, and errors by type", async () => {
    const metrics: Metric[] = [];
    const { handler } = observedServer({ metrics: metricHook((m) => metrics.push(m)) });
    await handler.fetch(call("add", { a: 1, b: 2 }));
    await handler.fetch(call("crash"));
    await handler.fetch(call("refuse"));
    await handler.fetch(call("invalid"));
    const of = (target: string | undefined, name: string) =>
      metrics.find((m) => m.dimensions.Target === target && m.name === name);
    expect(of("add", "Requests")).toStrictEqual({
      name: "Requests",
      value: 1,
      unit: "Count",
      dimensions: { Method: "tools/call", Target: "add" },
    });
    expect(of("add", "Duration")?.unit).toBe("Milliseconds");
    expect(of("add", "Errors")?.value).toBe(0);
    expect(of("crash", "ToolErrors")?.value).toBe(1); // a tool's crash is its error result
    expect(of("refuse", "ToolErrors")?.value).toBe(1);
    // An MCP error for a target that never answered is counted by method and type alone.
    expect(of(undefined, "ErrorsByType")?.dimensions).toStrictEqual({
      Method: "tools/call",
      ErrorType: "-32602",
    });
  });

  it("times store calls by operation, failures included", async () => {
    const metrics: Metric[] = [];
    const ops = observe({ sink: () => {}, metrics: metricHook((m) => metrics.push(m)) });
    const stores = ops.stores(memoryStores());
    await stores.sessions.create({ kind: "t", id: "1" }, { a: 1 }, 1000);
    await stores.sessions.get({ kind: "t", id: "1" });
    const failing = ops.stores({
      ...memoryStores(),
      bus: {
        publish: () => Promise.reject(new Error("down")),
        subscribe: () => Promise.reject(new Error("down")),
      },
    });
    await expect(failing.bus.publish({ kind: "broadcast" }, {})).rejects.toThrow("down");
    const ops_ = metrics.filter((m) => m.name === "StoreLatency").map((m) => m.dimensions.Operation);
    expect(ops_).toStrictEqual(["sessions.create", "sessions.get", "bus.publish"]);
    const errors = metrics.filter((m) => m.name === "StoreErrors").map((m) => m.value);
    expect(errors).toStrictEqual([0, 0, 1]);
  });
});

describe("emfMetrics", () => {
  it("writes one valid EMF document per request, with the ids as plain fields", async () => {
    const written: string[] = [];
    const { handler } = observedServer({
      metrics: emfMetrics({ namespace: "Calc", service: "calc", write: (t) => written.push(t) }),
    });
    await handler.fetch(call("add", { a: 1, b: 2 }, { traceparent: TRACEPARENT }), undefined, {
      requestId: "r-1",
    });
    await handler.fetch(call("invalid"));
    expect(written).toHaveLength(2);
    const [ok, failed] = written.map((t) => JSON.parse(t) as Record<string, unknown>);
    for (const doc of [ok, failed]) expect(emfProblems(doc as Record<string, unknown>)).toStrictEqual([]);
    expect(ok).toMatchObject({
      Service: "calc",
      Method: "tools/call",
      Target: "add",
      Requests: 1,
      Errors: 0,
      hostRequestId: "r-1",
      traceId: TRACE_ID,
    });
    type Directive = { Namespace: string; Dimensions: string[][] };
    const directives = (ok?._aws as { CloudWatchMetrics: Directive[] } | undefined)?.CloudWatchMetrics ?? [];
    expect(directives[0]?.Namespace).toBe("Calc");
    expect(directives[0]?.Dimensions).toStrictEqual([
      ["Service", "Method"],
      ["Service", "Method", "Target"],
    ]);
    expect(failed).toMatchObject({ Errors: 1, ErrorType: "-32602" });
  });

  it("through the Lambda adapter: one write per invocation, its store metrics in it", async () => {
    // Legacy initialize + tools/call, each its own invocation, on stores the instruments time.
    const chunks: string[] = [];
    const writer = batchedWriter((chunk) => chunks.push(chunk));
    const { server, ops } = observedServer({ metrics: emfMetrics({ write: writer }) });
    const lambda = handle(
      createHandler(server, { stores: ops.stores(memoryStores()), onError: ops.onError }),
    );
    const init = await lambda(await toEvent(initializeRequest(), "v2"), { awsRequestId: "a-1" });
    const session = (init.headers as Record<string, string>)["mcp-session-id"] ?? "";
    await nextTurn();
    chunks.length = 0;
    const res = await lambda(
      await toEvent(
        legacyRequest(
          { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 2 } } },
          { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
        ),
        "v2",
      ),
      { awsRequestId: "a-2" },
    );
    expect(res.statusCode).toBe(200);
    await nextTurn();
    expect(chunks).toHaveLength(1);
    const docs = (chunks[0] ?? "")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const doc of docs) expect(emfProblems(doc)).toStrictEqual([]);
    expect(docs[0]).toMatchObject({
      Method: "tools/call",
      Target: "add",
      hostRequestId: "a-2",
      sessionId: session,
    });
    const operations = docs.slice(1).map((d) => d.Operation);
    expect(operations).toContain("sessions.get");
  });

  it("writes store metrics in chunks of at most 100 values, and to stdout by default", async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    const emf = emfMetrics();
    const ops = observe({ sink: () => {}, metrics: emf });
    const stores = ops.stores(memoryStores());
    for (let i = 0; i < MAX_VALUES * 2 + 5; i++) await stores.sessions.get({ kind: "t", id: String(i) });
    emf.flush();
    await nextTurn();
    vi.restoreAllMocks();
    const docs = writes
      .flatMap((w) => w.trim().split("\n"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(docs.map((d) => (d.StoreLatency as number[]).length)).toStrictEqual([100, 100, 5]);
    for (const doc of docs) expect(emfProblems(doc)).toStrictEqual([]);
    expect(writes.every((w) => w.endsWith("\n"))).toBe(true);
  });

  it("writes each store operation's values, failures and Service in its document", async () => {
    const written: string[] = [];
    const emf = emfMetrics({ namespace: "N", service: 'a "quoted" service', write: (t) => written.push(t) });
    const ops = observe({ sink: () => {}, metrics: emf });
    const real = memoryStores();
    const sessions = real.sessions;
    const stores = ops.stores({
      ...real,
      sessions: {
        get: (key) => sessions.get(key),
        create: (key, value, ttlMs) => sessions.create(key, value, ttlMs),
        update: (key, version, value, ttlMs) => sessions.update(key, version, value, ttlMs),
        delete: () => Promise.reject(new Error("down")),
      },
    });
    await stores.sessions.get({ kind: "t", id: "1" });
    await stores.sessions.delete({ kind: "t", id: "1" }).catch(() => {});
    await stores.sessions.get({ kind: "t", id: "2" });
    emf.flush();
    const docs = written.map((t) => JSON.parse(t) as Record<string, unknown>);
    for (const doc of docs) expect(emfProblems(doc)).toStrictEqual([]);
    expect(docs.map((d) => [d.Service, d.Operation, d.StoreErrors])).toStrictEqual([
      ['a "quoted" service', "sessions.get", [0, 0]],
      ['a "quoted" service', "sessions.delete", [1]],
    ]);
    for (const doc of docs) {
      expect(Object.keys(doc)).toStrictEqual(["_aws", "Service", "Operation", "StoreLatency", "StoreErrors"]);
      for (const ms of doc.StoreLatency as number[]) expect(ms).toBeGreaterThanOrEqual(0);
    }
  });
});

class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

describe("otelMetrics", () => {
  it("records mcp.server.operation.duration with the MCP conventions' attributes, in seconds", async () => {
    const reader = new TestReader({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
    });
    const provider = new MeterProvider({ readers: [reader] });
    try {
      const { handler } = observedServer({ metrics: otelMetrics(provider.getMeter("test")) });
      await handler.fetch(call("add", { a: 1, b: 2 }));
      await handler.fetch(call("crash"));
      await handler.fetch(call("invalid"));
      const { resourceMetrics } = await reader.collect();
      const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      const duration = metrics.find((m) => m.descriptor.name === "mcp.server.operation.duration");
      expect(duration?.descriptor.unit).toBe("s");
      expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM);
      const points = duration?.dataPoints ?? [];
      const ok = points.find((p) => p.attributes["gen_ai.tool.name"] === "add");
      expect(ok?.attributes).toStrictEqual({
        "mcp.method.name": "tools/call",
        "mcp.protocol.version": "2026-07-28",
        "network.transport": "tcp",
        "network.protocol.name": "http",
        "gen_ai.tool.name": "add",
        "gen_ai.operation.name": "execute_tool",
      });
      const value = ok?.value as { count: number; max?: number; buckets: { boundaries: number[] } };
      expect(value.count).toBe(1);
      expect(value.max).toBeLessThan(1); // seconds, not milliseconds
      expect(value.buckets.boundaries).toStrictEqual([
        0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
      ]);
      const crashed = points.find((p) => p.attributes["gen_ai.tool.name"] === "crash");
      expect(crashed?.attributes["error.type"]).toBe("tool_error");
      // An MCP error for a tool that never answered: no tool name (a client may make names up).
      const failed = points.find((p) => p.attributes["error.type"] === "-32602");
      expect(failed?.attributes["gen_ai.tool.name"]).toBeUndefined();
      expect(failed?.attributes["gen_ai.operation.name"]).toBe("execute_tool");
      expect(failed?.attributes["rpc.response.status_code"]).toBe("-32602");
    } finally {
      await provider.shutdown();
    }
  });
});
