/** Correlation through the Workers adapter: `CF-Ray` is the host request id (type-checked with the Workers types). */

import * as api from "@opentelemetry/api";
import { handle } from "@portico/adapter-workers";
import { afterAll, describe, expect, it } from "vitest";
import { otelTraces } from "../src/otel/index.ts";
import { correlatedServer, deleteRequest, expectCorrelated, expectHttpCorrelated } from "./_correlated.ts";
import { registerOtel } from "./_otel.ts";
import { modernRequest } from "./_requests.ts";
import { TRACE_ID, TRACEPARENT } from "./_server.ts";

const otel = registerOtel();
afterAll(() => otel.shutdown());

describe("correlation through the Workers adapter", () => {
  it("CF-Ray and traceparent", async () => {
    otel.reset();
    const { lines, handler, documents } = correlatedServer(otelTraces(api));
    const worker = handle(handler);
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p), passThroughOnException: () => {} };
    const request = modernRequest(
      "tools/call",
      { name: "add", arguments: { a: 2, b: 3 } },
      { "cf-ray": "8f1a2b3c4d5e6f70-AMS", traceparent: TRACEPARENT },
    );
    const res = await worker.fetch(request, {}, ctx as unknown as ExecutionContext);
    expect(res.status).toBe(200);
    await res.text();
    await Promise.all(waited);
    expectCorrelated(lines, "8f1a2b3c4d5e6f70-AMS", TRACE_ID, documents, otel.spans());
    const gone = await worker.fetch(
      deleteRequest({ "cf-ray": "8f1a2b3c4d5e6f71-AMS", traceparent: TRACEPARENT }),
      {},
      ctx as unknown as ExecutionContext,
    );
    await gone.body?.cancel();
    await Promise.all(waited);
    expectHttpCorrelated(lines, "8f1a2b3c4d5e6f71-AMS", TRACE_ID, documents, otel.spans());
  });
});
