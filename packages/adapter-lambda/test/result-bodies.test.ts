/**
 * A buffered result carries its body in a JSON string: as text (`isBase64Encoded: false`), which
 * the front door sends on as UTF-8, or base64 (`isBase64Encoded: true`), which it decodes to the
 * exact bytes (API Gateway "Lambda function response format"; ALB "Respond to the load balancer").
 * Bytes that are not UTF-8 have no text form, so a textual Content-Type alone must not decide:
 * every body must reach the client byte for byte.
 */
import { describe, expect, it } from "vitest";
import { type FetchApp, fromResult, handle, toEvent, toRequest } from "../src/index.ts";

const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 10_000 };
const get = () => new Request("https://fn.lambda-url.eu-west-1.on.aws/mcp");

async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** What a client receives for `bytes` answered with `headers`, through each kind's buffered result. */
async function delivered(bytes: Uint8Array, headers: Record<string, string>) {
  const app: FetchApp = { fetch: () => new Response(bytes.slice(), { headers }) };
  const out: Uint8Array[] = [];
  for (const kind of ["v1", "v2", "alb"] as const) {
    const result = await handle(app)(await toEvent(get(), kind), context);
    out.push(new Uint8Array(await fromResult(result).arrayBuffer()));
  }
  return out;
}

describe("buffered result bodies reach the client byte for byte", () => {
  it("a gzip-compressed JSON body (Content-Encoding: gzip) goes out base64, not mangled as text", async () => {
    const json = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { text: "héllo ".repeat(50) } });
    const compressed = await gzip(json);
    const headers = { "content-type": "application/json", "content-encoding": "gzip" };
    for (const got of await delivered(compressed, headers)) expect(got).toEqual(compressed);
    const result = await handle({ fetch: () => new Response(compressed.slice(), { headers }) })(
      await toEvent(get(), "v2"),
      context,
    );
    expect(result.isBase64Encoded).toBe(true);
  });

  it("text in another charset, and a UTF-8 byte-order mark, are kept as sent", async () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1
    for (const got of await delivered(latin1, { "content-type": "text/plain; charset=iso-8859-1" })) {
      expect(got).toEqual(latin1);
    }
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d]); // BOM + "{}"
    for (const got of await delivered(bom, { "content-type": "application/json" })) expect(got).toEqual(bom);
  });

  it("UTF-8 text still goes out as text", async () => {
    const app: FetchApp = { fetch: () => Response.json({ text: "héllo ✓" }) };
    const result = await handle(app)(await toEvent(get(), "v2"), context);
    expect(result.isBase64Encoded).toBe(false);
    expect(JSON.parse(result.body)).toEqual({ text: "héllo ✓" });
  });

  it("toEvent (dev server, tests) keeps a request body that is not UTF-8 as sent", async () => {
    const latin1 = new Uint8Array([0x63, 0x61, 0x66, 0xe9]);
    for (const kind of ["v1", "v2", "alb"] as const) {
      const request = new Request("https://fn.example/mcp", {
        method: "POST",
        headers: { "content-type": "text/plain; charset=iso-8859-1" },
        body: latin1.slice(),
      });
      const seen = toRequest(await toEvent(request, kind));
      expect(new Uint8Array(await seen.arrayBuffer())).toEqual(latin1);
    }
  });
});
