/**
 * On Lambda (the runtime sets `AWS_LAMBDA_FUNCTION_NAME` at start), a request without trace headers
 * takes its trace from the runtime's per-invocation `_X_AMZN_TRACE_ID` (elsewhere that variable is
 * never read: observe.test.ts).
 */
import { handle, toEvent } from "@portico/adapter-lambda";
import { afterAll, describe, expect, it, vi } from "vitest";
import { expectCorrelated } from "./_correlated.ts";
import { only, registerOtel, tracedServer } from "./_otel.ts";
import { modernRequest } from "./_requests.ts";
import { observedServer, requestLines } from "./_server.ts";

vi.hoisted(() => {
  process.env.AWS_LAMBDA_FUNCTION_NAME = "observe-test";
});

const otel = registerOtel();
afterAll(() => otel.shutdown());

describe("the Lambda runtime's X-Ray variable", () => {
  it("gives the trace id when no header does", async () => {
    const { lines, handler } = observedServer();
    const fn = handle(handler);
    const add = modernRequest("tools/call", { name: "add", arguments: { a: 2, b: 3 } });
    process.env._X_AMZN_TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0";
    try {
      await fn(await toEvent(add, "v1"), { awsRequestId: "aws-req-2" });
      expectCorrelated(lines, "aws-req-2", "5759e988bd862e3fe1be46a994272793");
      // The next invocation has its own header.
      process.env._X_AMZN_TRACE_ID = "Root=1-6759e988-cd862e3fe1be46a994272793;Sampled=0";
      await fn(await toEvent(modernRequest("tools/list"), "v2"), { awsRequestId: "aws-req-3" });
      expect(requestLines(lines)[1]?.traceId).toBe("6759e988cd862e3fe1be46a994272793");
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });

  it("unsampled (Lambda's tracing off) is a link of the server span, not a parent that would drop it", async () => {
    otel.reset();
    const { handler } = tracedServer();
    const fn = handle(handler);
    process.env._X_AMZN_TRACE_ID =
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
    try {
      const add = modernRequest("tools/call", { name: "add", arguments: { a: 2, b: 3 } });
      const result = await fn(await toEvent(add, "v2"), { awsRequestId: "aws-1" });
      expect(result.statusCode).toBe(200);
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
    const span = only(otel.spans(), "tools/call add");
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe("5759e988bd862e3fe1be46a994272793");
    expect(span.links.map((l) => ({ ...l.context, ...l.attributes }))).toMatchObject([
      {
        traceId: "5759e988bd862e3fe1be46a994272793",
        spanId: "53995c3f42cd8ad8",
        "portico.link.source": "x-ray",
      },
    ]);
  });
});
