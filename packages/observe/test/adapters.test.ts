/**
 * Correlation on every runtime: each adapter passes its host's request id (Node `X-Request-Id`,
 * Lambda `awsRequestId`, Vercel `x-vercel-id`; Workers `CF-Ray` in workers.test.ts) and the trace
 * headers reach the request line, the tool's own line, the EMF document and the span — and those of
 * an HTTP request that became no MCP request — read from the emitted output.
 */

import * as api from "@opentelemetry/api";
import { handle as lambda, toEvent } from "@portico/adapter-lambda";
import { serve } from "@portico/adapter-node";
import { handle as vercel } from "@portico/adapter-vercel";
import { afterAll, describe, expect, it } from "vitest";
import { otelTraces } from "../src/otel/index.ts";
import { correlatedServer, deleteRequest, expectCorrelated, expectHttpCorrelated } from "./_correlated.ts";
import { registerOtel } from "./_otel.ts";
import { modernRequest } from "./_requests.ts";
import { observedServer, streamEnded, TRACE_ID, TRACEPARENT } from "./_server.ts";

const addCall = (headers: Record<string, string>, url?: string) =>
  modernRequest("tools/call", { name: "add", arguments: { a: 2, b: 3 } }, headers, url);

const otel = registerOtel();
afterAll(() => otel.shutdown());

describe("correlation through each adapter", () => {
  it("Node: X-Request-Id and traceparent", async () => {
    otel.reset();
    const { lines, handler, documents } = correlatedServer(otelTraces(api));
    const server = await serve(handler, { port: 0, hostname: "127.0.0.1" });
    try {
      const res = await fetch(
        addCall({ "x-request-id": "node-req-7", traceparent: TRACEPARENT }, `${server.url}/mcp`),
      );
      expect(res.status).toBe(200);
      await res.text();
      expectCorrelated(lines, "node-req-7", TRACE_ID, documents, otel.spans());
      const gone = await fetch(
        deleteRequest({ "x-request-id": "node-req-8", traceparent: TRACEPARENT }, `${server.url}/mcp`),
      );
      await gone.body?.cancel();
      expectHttpCorrelated(lines, "node-req-8", TRACE_ID, documents, otel.spans());
    } finally {
      await server.close();
    }
  });

  it("Node: a listen stream the client leaves gets its stream ended line, and frees the caller's place", async () => {
    const { lines, handler } = observedServer({}, { maxListenStreamsPerCaller: 1 });
    const server = await serve(handler, { port: 0, hostname: "127.0.0.1" });
    try {
      const listen = (signal?: AbortSignal) =>
        fetch(
          modernRequest(
            "subscriptions/listen",
            { notifications: { toolsListChanged: true } },
            { "x-request-id": "node-listen-1" },
            `${server.url}/mcp`,
          ),
          signal === undefined ? {} : { signal },
        );
      const gone = new AbortController();
      const first = await listen(gone.signal);
      expect(first.status).toBe(200);
      const reader = first.body?.getReader();
      expect(new TextDecoder().decode((await reader?.read())?.value)).toContain("acknowledged");
      gone.abort();
      await reader?.cancel().catch(() => {});
      // The socket's close reaches the server's stream through the followed body.
      expect(await streamEnded(lines)).toMatchObject({
        method: "subscriptions/listen",
        hostRequestId: "node-listen-1",
        endedBy: "client",
      });
      const again = await listen();
      expect(again.status).toBe(200);
      await again.body?.cancel();
    } finally {
      await server.close();
    }
  });

  it("Lambda: awsRequestId and the X-Ray header (the runtime's _X_AMZN_TRACE_ID: lambda-env.test.ts)", async () => {
    otel.reset();
    const { lines, handler, documents } = correlatedServer(otelTraces(api));
    const fn = lambda(handler);
    const xray = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1";
    const event = await toEvent(addCall({ "x-amzn-trace-id": xray }), "v2");
    const result = await fn(event, { awsRequestId: "aws-req-1" });
    expect(result.statusCode).toBe(200);
    expectCorrelated(lines, "aws-req-1", "67891233abcdef012345678912345678", documents, otel.spans());
    const gone = await fn(await toEvent(deleteRequest({ "x-amzn-trace-id": xray }), "v2"), {
      awsRequestId: "aws-req-2",
    });
    expect(gone.statusCode).toBeGreaterThanOrEqual(200);
    expectHttpCorrelated(lines, "aws-req-2", "67891233abcdef012345678912345678", documents, otel.spans());
  });

  it("Vercel: x-vercel-id and traceparent", async () => {
    otel.reset();
    const { lines, handler, documents } = correlatedServer(otelTraces(api));
    const { POST } = vercel(handler);
    const res = await POST(
      addCall({ "x-vercel-id": "fra1::iad1::abc12-1700000000000-0123456789ab", traceparent: TRACEPARENT }),
    );
    expect(res.status).toBe(200);
    await res.text();
    expectCorrelated(
      lines,
      "fra1::iad1::abc12-1700000000000-0123456789ab",
      TRACE_ID,
      documents,
      otel.spans(),
    );
    const id = "fra1::iad1::abc12-1700000000001-0123456789ab";
    const gone = await vercel(handler).DELETE(deleteRequest({ "x-vercel-id": id, traceparent: TRACEPARENT }));
    await gone.body?.cancel();
    expectHttpCorrelated(lines, id, TRACE_ID, documents, otel.spans());
  });
});
