/**
 * A synchronous invocation's result may weigh at most 6 MB as JSON (Lambda quotas, "Invocation
 * payload (request and response)"; the runtime refuses more with `Function.ResponseSizeTooLarge`,
 * "maximum allowed payload size (6291556 bytes)"), and an ALB target's at most 1 MB ("The maximum
 * size of the response JSON that the Lambda function can send is 1 MB"). Beyond that AWS answers
 * the client a bare 502 and the app hears nothing: the handler answers a JSON-RPC 500 instead and
 * tells `onError` why.
 */
import { describe, expect, it } from "vitest";
import { type FetchApp, handle, toEvent } from "../src/index.ts";

const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 10_000 };
const post = () => new Request("https://fn.example/mcp", { method: "POST", body: "{}" });
const INTERNAL_ERROR = { jsonrpc: "2.0", id: null, error: { code: -32603, message: "Internal error" } };

function answering(text: string, type = "application/json"): FetchApp {
  return { fetch: () => new Response(text, { headers: { "content-type": type } }) };
}

async function run(app: FetchApp, kind: "v1" | "v2" | "alb") {
  const errors: unknown[] = [];
  const result = await handle(app, { onError: (e) => errors.push(e) })(await toEvent(post(), kind), context);
  return { result, errors, size: new TextEncoder().encode(JSON.stringify(result)).byteLength };
}

describe("results over the payload limit", () => {
  it("a result over 6 MB gets a JSON-RPC 500 and onError hears its size (REST, HTTP API, Function URL)", async () => {
    for (const kind of ["v1", "v2"] as const) {
      const { result, errors } = await run(answering(`"${"x".repeat(6_300_000)}"`), kind);
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(result.body)).toEqual(INTERNAL_ERROR);
      expect(errors).toHaveLength(1);
      expect(String(errors[0])).toMatch(/6291556/);
    }
  });

  it("counts the result as AWS does: UTF-8 bytes of the JSON, escapes and base64 included", async () => {
    // 2.2 M characters of 3 UTF-8 bytes each: under the limit in characters, over it in bytes.
    const wide = await run(answering("✓".repeat(2_200_000), "text/plain"), "v2");
    expect(wide.result.statusCode).toBe(500);
    // 5 MB of binary is 6.7 MB as base64.
    const bytes = new Uint8Array(5_000_000);
    const binary = await run({ fetch: () => new Response(bytes) }, "v2");
    expect(binary.result.statusCode).toBe(500);
  });

  it("an ALB target's result over 1 MB gets the 500 in the event's header mode", async () => {
    const { result, errors } = await run(answering(`"${"x".repeat(1_100_000)}"`), "alb");
    expect(result.statusCode).toBe(500);
    expect(result).toMatchObject({ statusDescription: "500 Internal Server Error" });
    expect(JSON.parse(result.body)).toEqual(INTERNAL_ERROR);
    expect(String(errors[0])).toMatch(/1048576/);
  });

  it("results up to the limit go out untouched", async () => {
    const v2 = await run(answering(`"${"x".repeat(6_000_000)}"`), "v2");
    expect(v2.result.statusCode).toBe(200);
    expect(v2.size).toBeLessThanOrEqual(6_291_556);
    expect(v2.errors).toEqual([]);
    const alb = await run(answering(`"${"x".repeat(1_000_000)}"`), "alb");
    expect(alb.result.statusCode).toBe(200);
    expect(alb.errors).toEqual([]);
  });
});
