/**
 * Targets as metric dimensions. A target is text the client chose, and every distinct dimension value
 * is a metric series CloudWatch bills (an OpenTelemetry backend keeps): names a client makes up must
 * never become one, and the series a process makes are bounded (`maxTargets`). A CloudWatch
 * dimension value is 1–1024 ASCII characters, no control characters, not all whitespace (CloudWatch
 * API reference, `Dimension`): a target that is not one stays out of an EMF document's dimensions.
 */
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { McpError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { emfMetrics, type Metric, metricHook } from "../src/index.ts";
import type { Instrument, RequestStart } from "../src/instrument.ts";
import { otelMetrics } from "../src/otel/index.ts";
import { errorEnding, resultEnding } from "../src/outcome.ts";
import { emfProblems } from "./_emf.ts";
import { modernRequest } from "./_requests.ts";
import { observedServer } from "./_server.ts";

const call = (name: string) => modernRequest("tools/call", { name, arguments: {} });

/** Ends one request of `method`/`target` through `instrument`, answered (`ok`) unless an ending is given. */
function end(instrument: Instrument, target: string | undefined, ending = resultEnding({})): void {
  const start = {
    call: { method: "resources/read", target },
    fields: {},
    coldStart: false,
    trace: undefined,
  };
  instrument
    .request?.(start as unknown as RequestStart)
    ?.end({ ending, durationMs: 1, streamed: false, result: undefined });
}

describe("targets a client makes up", () => {
  it("never become a Target: hook, EMF and OpenTelemetry count them by method and error type", async () => {
    const hooked: Metric[] = [];
    const written: string[] = [];
    const reader = new (class extends MetricReader {
      protected async onShutdown(): Promise<void> {}
      protected async onForceFlush(): Promise<void> {}
    })();
    const provider = new MeterProvider({ readers: [reader] });
    try {
      const { handler } = observedServer({
        instruments: [metricHook((m) => hooked.push(m)), otelMetrics(provider.getMeter("t"))],
        metrics: emfMetrics({ write: (t) => written.push(t) }),
      });
      for (let i = 0; i < 50; i++) await handler.fetch(call(`made-up-${i}`));
      expect(hooked.filter((m) => m.name === "Requests")).toHaveLength(50);
      expect(hooked.every((m) => m.dimensions.Target === undefined)).toBe(true);
      expect(written).toHaveLength(50);
      for (const doc of written.map((t) => JSON.parse(t) as Record<string, unknown>)) {
        expect(emfProblems(doc)).toStrictEqual([]);
        expect(doc).toMatchObject({ Method: "tools/call", Errors: 1, ErrorType: "-32602" });
        expect(doc.Target).toBeUndefined();
      }
      const { resourceMetrics } = await reader.collect();
      const points = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === "mcp.server.operation.duration")?.dataPoints;
      expect(points).toHaveLength(1); // one series for all fifty
      expect(points?.[0]?.attributes["gen_ai.tool.name"]).toBeUndefined();
    } finally {
      await provider.shutdown();
    }
  });

  it("a real tool earns its Target by answering (its error results too), and keeps it", async () => {
    const hooked: Metric[] = [];
    const { handler } = observedServer({ metrics: metricHook((m) => hooked.push(m)) });
    const targets = () => new Set(hooked.map((m) => m.dimensions.Target));
    await handler.fetch(call("invalid")); // an MCP error before any answer: by method only
    expect(targets()).toStrictEqual(new Set([undefined]));
    await handler.fetch(call("refuse")); // its own error result is an answer
    await handler.fetch(call("crash")); // a crash is the tool's error result
    expect(targets()).toStrictEqual(new Set([undefined, "refuse", "crash"]));
  });
});

describe("maxTargets", () => {
  it("bounds the distinct targets per process; earned ones keep theirs", () => {
    // A JSON-RPC-level crash (a prompt's or a middleware's) earns as an answer does; an MCP error does not.
    const crashes: Metric[] = [];
    const crashHook = metricHook((m) => crashes.push(m));
    end(crashHook, "p", errorEnding(new McpError(-32602, "Unknown prompt: p")));
    end(crashHook, "q", errorEnding(new TypeError("x is undefined")));
    expect(crashes.filter((m) => m.name === "Requests").map((m) => m.dimensions.Target)).toStrictEqual([
      undefined,
      "q",
    ]);
    const hooked: Metric[] = [];
    const hook = metricHook((m) => hooked.push(m), { maxTargets: 2 });
    for (const target of ["a", "b", "c", "a", "b", "c"]) end(hook, target);
    const requests = hooked.filter((m) => m.name === "Requests").map((m) => m.dimensions.Target);
    expect(requests).toStrictEqual(["a", "b", undefined, "a", "b", undefined]);
  });

  it("0 keeps every target out; a bad value is refused", () => {
    const written: string[] = [];
    const emf = emfMetrics({ write: (t) => written.push(t), maxTargets: 0 });
    end(emf, "a");
    expect(JSON.parse(written[0] ?? "{}").Target).toBeUndefined();
    for (const maxTargets of [-1, 1.5, Number.NaN]) {
      expect(() => emfMetrics({ maxTargets })).toThrow(/maxTargets must be a whole number/);
    }
  });
});

describe("EMF dimension values", () => {
  it("keeps a target that is no CloudWatch dimension value out of the dimensions, still counting it", () => {
    const written: string[] = [];
    const emf = emfMetrics({ write: (t) => written.push(t) });
    for (const uri of ["x".repeat(1025), "file:///météo", " ", "a\nb"]) end(emf, uri);
    expect(written).toHaveLength(4);
    for (const doc of written.map((t) => JSON.parse(t) as Record<string, unknown>)) {
      expect(emfProblems(doc)).toStrictEqual([]);
      expect(doc).toMatchObject({ Method: "resources/read", Requests: 1 });
      expect(doc.Target).toBeUndefined();
    }
    written.length = 0;
    end(emf, "x".repeat(1024));
    expect(JSON.parse(written[0] ?? "{}")).toMatchObject({ Target: "x".repeat(1024) });
  });

  it("a crash whose name CloudWatch would refuse is ErrorType _OTHER", () => {
    const written: string[] = [];
    const emf = emfMetrics({ write: (t) => written.push(t) });
    end(emf, undefined, errorEnding(Object.assign(new Error("boom"), { name: "Fehler\u00e4" })));
    const doc = JSON.parse(written[0] ?? "{}") as Record<string, unknown>;
    expect(emfProblems(doc)).toStrictEqual([]);
    expect(doc.ErrorType).toBe("_OTHER");
  });
});
