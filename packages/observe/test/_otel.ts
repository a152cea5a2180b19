/**
 * The real OpenTelemetry SDK for the traces tests, registered globally as an app would: a
 * `TracerProvider` exporting to memory, `AsyncLocalStorage` context, W3C trace context and
 * baggage propagation. Plus the observed test server with traces on, a prompt, a resource, a tool
 * that makes its own span, and stores the instruments follow.
 */
import * as api from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import { addPrompt, addResource, addTool, createHandler, type McpServer, memoryStores } from "@portico/core";
import * as v from "valibot";
import { type OtelTracesOptions, otelTraces } from "../src/otel/index.ts";
import { observedServer } from "./_server.ts";

function unregister(): void {
  api.trace.disable();
  api.context.disable();
  api.propagation.disable();
}

/** Registers the SDK globally; `shutdown()` flushes it and unregisters it. */
export function registerOtel() {
  unregister();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  api.trace.setGlobalTracerProvider(provider);
  return {
    provider,
    /** The spans ended so far. */
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    shutdown: async () => {
      await provider.shutdown();
      unregister();
    },
  };
}

/** What the tool `lookup` saw of its context: the baggage the caller sent. */
export const seen: { baggage?: string | undefined } = {};

/** Tools, a prompt and a resource that the traces tests call. */
function addTraced(server: McpServer): void {
  // A tool instrumented with OpenTelemetry, as users write them.
  addTool(server, "lookup", { input: v.object({ q: v.string() }) }, ({ q }) =>
    api.trace.getTracer("lookup-tool").startActiveSpan("lookup db", async (span) => {
      try {
        seen.baggage = api.propagation.getBaggage(api.context.active())?.getEntry("tenant")?.value;
        await new Promise((resolve) => setTimeout(resolve, 1));
        return `found ${q}`;
      } finally {
        span.end();
      }
    }),
  );
  // Streams a progress notification ahead of its answer (legacy: stored as an event of the session).
  addTool(server, "halfway", {}, async (_args, ctx) => {
    await ctx.progress(1, 2, "halfway");
    return "done";
  });
  addPrompt(server, "greet", {}, () => ({
    messages: [{ role: "user", content: { type: "text", text: "hello" } }],
  }));
  addResource(server, "memo://one", { name: "memo" }, () => [{ uri: "memo://one", text: "memo" }]);
}

/** The observed test server with `otelTraces(api, options)`, on stores wrapped with `ops.stores`. */
export function tracedServer(options: OtelTracesOptions = {}) {
  const { server, ops, lines } = observedServer({ traces: otelTraces(api, options) });
  addTraced(server);
  const handler = createHandler(server, { stores: ops.stores(memoryStores()), onError: ops.onError });
  return { server, ops, lines, handler };
}

/** The one span of this name (fails the test when there is not exactly one). */
export function only(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`${found.length} spans named ${name}: ${spans.map((s) => s.name)}`);
  return found[0] as ReadableSpan;
}

/** The SERVER spans (one per MCP request). */
export const serverSpans = (spans: readonly ReadableSpan[]) =>
  spans.filter((s) => s.kind === api.SpanKind.SERVER);
