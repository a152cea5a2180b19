/**
 * Portico's `add` app with `@portico/observe` in each configuration the overhead bench compares:
 * switched off (`enabled: false`), installed but silent, request logs at info, logs + EMF metrics,
 * and all of it with OpenTelemetry spans (the SDK's batch processor, an exporter that drops them). Lines and EMF documents are serialised and
 * written, as in production, to /dev/null.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import * as api from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { addTool, createHandler, McpServer, memoryStores } from "@portico/core";
import { batchedWriter, emfMetrics, jsonLines, type ObserveOptions, observe } from "@portico/observe";
import { otelTraces } from "@portico/observe/otel";
import * as v from "valibot";
import type { FetchTarget } from "./_fetch-target.ts";

export type Observed = "off" | "silent" | "logs" | "logs+metrics" | "all";

let devNull: number | undefined;
/** /dev/null in place of stdout: a real write system call per batch, as stdout costs. */
const writer = batchedWriter((chunk) => {
  devNull ??= openSync("/dev/null", "w");
  writeSync(devNull, chunk);
});

export function closeDevNull(): void {
  if (devNull !== undefined) closeSync(devNull);
  devNull = undefined;
}

/** Spans are made, batched and handed to an exporter that drops them (the export itself is not measured). */
const dropping: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
};

let registered = false;
/** The OpenTelemetry SDK registered as an app (or ADOT's layer) would: async context, a batch processor. */
function tracing(): typeof api {
  if (!registered) {
    registered = true;
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: dropping })] }),
    );
  }
  return api;
}

function options(mode: Observed): ObserveOptions {
  const sink = jsonLines(writer);
  switch (mode) {
    case "off":
      return { enabled: false };
    case "silent":
      return { requests: false, level: "silent" };
    case "logs":
      return { sink };
    case "logs+metrics":
      return { sink, metrics: emfMetrics({ write: writer }) };
    case "all":
      return { sink, metrics: emfMetrics({ write: writer }), traces: otelTraces(tracing()) };
  }
}

export function porticoObserved(mode: Observed): FetchTarget {
  const ops = observe(options(mode));
  const server = new McpServer({ name: "bench", version: "1.0.0" });
  server.use(ops);
  addTool(
    server,
    "add",
    { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
    ({ a, b }) => String(a + b),
  );
  const handler = createHandler(server, { stores: ops.stores(memoryStores()), onError: ops.onError });
  return {
    acceptsBufferedRequests: handler.acceptsBufferedRequests,
    fetch: (request, env, ctx) => handler.fetch(request, env, ctx),
  };
}
