/**
 * Shapes a hostile API or document can take (found by a review of the package): a 2xx JSON answer
 * nested deeper than a result can be written back is the text alone (a tool result, not a JSON-RPC
 * internal error), and a document nesting schemas thousands deep is a `PorticoError`
 * (`document_too_deep`), not a bare `RangeError`.
 */
import { McpServer, PorticoError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { fromOpenAPI } from "../src/index.ts";
import { callTool, handlerOf } from "./_mcp.ts";

const document = (schema: unknown = { type: "object" }) => ({
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  servers: [{ url: "https://api.test" }],
  paths: {
    "/deep": {
      post: {
        operationId: "deep",
        requestBody: { content: { "application/json": { schema } } },
        responses: {
          "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } },
        },
      },
    },
  },
});

describe("a hostile API's answer", () => {
  for (const [what, body] of [
    ["arrays", `${"[".repeat(200_000)}${"]".repeat(200_000)}`],
    ["objects", `${'{"a":'.repeat(150_000)}1${"}".repeat(150_000)}`],
  ] as const) {
    it(`JSON nested 150 000+ deep (${what}) is the tool's text, without structuredContent`, async () => {
      const server = new McpServer({ name: "deep", version: "1.0.0" });
      await fromOpenAPI(server, document(), {
        fetch: async () => new Response(body, { headers: { "content-type": "application/json" } }),
      });
      const result = await callTool(handlerOf(server), "deep", {});
      expect(result.isError).toBeUndefined();
      expect(result.structuredContent).toBeUndefined();
      expect(result.content[0]?.text?.length).toBe(body.length);
    });
  }

  it("JSON of ordinary depth keeps its structuredContent", async () => {
    const server = new McpServer({ name: "deep", version: "1.0.0" });
    const body = JSON.stringify({ a: { b: { c: [1, 2, { d: "e" }] } } });
    await fromOpenAPI(server, document(), {
      fetch: async () => new Response(body, { headers: { "content-type": "application/json" } }),
    });
    expect((await callTool(handlerOf(server), "deep", {})).structuredContent).toStrictEqual(JSON.parse(body));
  });
});

describe("a hostile document", () => {
  it("schemas nested 20 000 deep are a PorticoError (document_too_deep)", async () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 20_000; i++) schema = { type: "array", items: schema };
    const error = await fromOpenAPI(new McpServer({ name: "deep", version: "1.0.0" }), document(schema)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PorticoError);
    expect((error as PorticoError).code).toBe("document_too_deep");
  });
});

describe("a document whose $refs fan out", () => {
  /** Schema S(i) points twice at S(i-1): a few kilobytes that expand to 2^n copies of S0. */
  const fanOut = (n: number) => {
    const schemas: Record<string, unknown> = { S0: { type: "string" } };
    for (let i = 1; i <= n; i++) {
      const ref = { $ref: `#/components/schemas/S${i - 1}` };
      schemas[`S${i}`] = { type: "object", properties: { a: ref, b: { ...ref } } };
    }
    return { ...document({ $ref: `#/components/schemas/S${n}` }), components: { schemas } };
  };

  it("is refused before any $ref is followed (document_too_large), at once", async () => {
    for (const n of [20, 40]) {
      const started = Date.now();
      const error = await fromOpenAPI(new McpServer({ name: "fan", version: "1.0.0" }), fanOut(n)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PorticoError);
      expect((error as PorticoError).code).toBe("document_too_large");
      expect((error as PorticoError).message).toContain("POST /deep expands to more than 200000");
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it("a moderate one (a few thousand nodes) still converts", async () => {
    const server = new McpServer({ name: "fan", version: "1.0.0" });
    const registration = await fromOpenAPI(server, fanOut(8));
    expect(registration.tools).toStrictEqual(["deep"]);
  });
});
