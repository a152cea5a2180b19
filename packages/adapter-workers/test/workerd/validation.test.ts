/**
 * Workers forbid generating code from strings (`eval`, `new Function`). Input validation is on the
 * request path of every tool call, so it must work without: a valibot schema and a raw JSON
 * Schema tool, valid and invalid arguments, served by a real invocation of the Worker.
 */
import { addTool, createHandler, jsonSchema, McpServer } from "@portico/core";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import * as v from "valibot";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { invokeWorker, TEST_SECRET } from "./_fixtures.ts";
import { serveThroughWorker } from "./worker.ts";

function validatingServer(): McpServer {
  const server = new McpServer({ name: "validation", version: "1.0.0" });
  addTool(
    server,
    "divide",
    {
      description: "valibot input and output",
      input: v.object({ a: v.number(), b: v.pipe(v.number(), v.notValue(0)) }),
      output: v.object({ quotient: v.number() }),
    },
    ({ a, b }) => ({
      content: [{ type: "text", text: String(a / b) }],
      structuredContent: { quotient: a / b },
    }),
  );
  addTool(
    server,
    "order",
    {
      description: "raw JSON Schema input (jsonSchema)",
      input: jsonSchema({
        type: "object",
        properties: {
          sku: { type: "string", pattern: "^[A-Z]{3}-[0-9]{4}$" },
          quantity: { type: "integer", minimum: 1, maximum: 10 },
          gift: {
            type: "object",
            properties: { note: { type: "string", maxLength: 20 } },
            required: ["note"],
          },
        },
        required: ["sku", "quantity"],
        additionalProperties: false,
      }),
    },
    (args) => `ordered ${String(args.quantity)} × ${String(args.sku)}`,
  );
  return server;
}

async function call(name: string, args: Record<string, unknown>) {
  const res = await invokeWorker(modernPost("http://localhost/mcp", "tools/call", { name, arguments: args }));
  const [message] = await readJsonRpc(res);
  return (
    message as { result: { isError?: boolean; content: { text: string }[]; structuredContent?: unknown } }
  ).result;
}

describe("validation inside workerd, without code generation", () => {
  // The vitest pool re-enables `new Function` through the global name for its module runner;
  // while these tests run, the global refuses like production Workers do. The intrinsic
  // constructors (reached through any function's `.constructor`) and eval refuse natively.
  const pooled = globalThis.Function;
  beforeEach(() => {
    const refuse = () => {
      throw new EvalError("Code generation from strings disallowed for this context");
    };
    globalThis.Function = new Proxy(pooled, { construct: refuse, apply: refuse });
  });
  afterEach(() => {
    globalThis.Function = pooled;
  });
  afterAll(() => serveThroughWorker(undefined));

  it("this isolate forbids eval and new Function, as Workers do", () => {
    expect(() => new Function("return 1")).toThrow(EvalError);
    expect(() => (() => {}).constructor("return 1")).toThrow(/Code generation from strings disallowed/);
    expect(() => (async () => {}).constructor("return 1")).toThrow(/Code generation from strings disallowed/);
    // biome-ignore lint/security/noGlobalEval: asserting that the runtime refuses it
    const indirectEval = globalThis.eval;
    expect(() => indirectEval("1 + 1")).toThrow(/Code generation from strings disallowed/);
  });

  it("validates a valibot schema and a raw JSON Schema on the request path", async () => {
    serveThroughWorker(() => createHandler(validatingServer(), { secret: TEST_SECRET }));

    const ok = await call("divide", { a: 1, b: 4 });
    expect(ok.isError).toBeFalsy();
    expect(ok.structuredContent).toEqual({ quotient: 0.25 });
    const zero = await call("divide", { a: 1, b: 0 });
    expect(zero.isError).toBe(true);
    expect(zero.content[0]?.text).toMatch(/b/);
    const wrongType = await call("divide", { a: "1", b: 2 });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.content[0]?.text).toMatch(/a/);

    expect(await call("order", { sku: "ABC-1234", quantity: 2, gift: { note: "hi" } })).toMatchObject({
      content: [{ text: "ordered 2 × ABC-1234" }],
    });
    for (const bad of [
      { sku: "abc-1234", quantity: 2 },
      { sku: "ABC-1234", quantity: 11 },
      { sku: "ABC-1234", quantity: 1.5 },
      { sku: "ABC-1234" },
      { sku: "ABC-1234", quantity: 1, extra: true },
      { sku: "ABC-1234", quantity: 1, gift: { note: "x".repeat(21) } },
    ]) {
      const result = await call("order", bad);
      expect(result.isError, JSON.stringify(bad)).toBe(true);
    }
  });
});
