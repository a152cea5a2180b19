import { describe, expect, it } from "vitest";
import { compileSchema, jsonSchema, PorticoError } from "../src/index.ts";

const ORDER = {
  type: "object",
  properties: { "sku/id": { type: "string" }, quantity: { type: "integer", minimum: 1 } },
  required: ["sku/id", "quantity"],
  additionalProperties: false,
};

describe("jsonSchema()", () => {
  it("goes on the wire verbatim and validates with JSON Pointer paths", async () => {
    const compiled = compileSchema(jsonSchema<{ quantity: number }>(ORDER), "order");
    expect(compiled.jsonSchema).toBe(ORDER);
    expect(await compiled.validate({ "sku/id": "A", quantity: 2 })).toEqual({
      ok: true,
      value: { "sku/id": "A", quantity: 2 },
    });
    expect(await compiled.validate({ quantity: 0, extra: 1 })).toEqual({
      ok: false,
      issues: [
        { path: "/sku~1id", message: "Required property is missing" },
        { path: "/quantity", message: "Expected >= 1" },
        { path: "/extra", message: "Unknown property" },
      ],
    });
  });

  it("is a Standard Schema and a Standard JSON Schema", () => {
    const schema = jsonSchema(ORDER);
    expect(schema["~standard"].vendor).toBe("portico");
    expect(schema["~standard"].jsonSchema.input({ target: "draft-2020-12" })).toBe(ORDER);
    expect(schema["~standard"].validate("x")).toEqual({
      issues: [{ message: "Expected object, received string", path: [] }],
    });
  });

  it("refuses what is not an object", () => {
    expect(() => jsonSchema([] as unknown as Record<string, unknown>)).toThrow(PorticoError);
  });

  it("a plain object without jsonSchema() is refused, never left unvalidated", () => {
    expect(() => compileSchema(ORDER as never, "order")).toThrow(
      /"order" must be a Standard Schema .* or jsonSchema\(plain JSON Schema\)/,
    );
  });

  it("refuses a $ref that does not resolve inside the schema", () => {
    expect(() => jsonSchema({ properties: { a: { $ref: "#/$defs/missing" } } })).toThrow(
      /\$ref "#\/\$defs\/missing" does not resolve inside the schema/,
    );
    expect(() => jsonSchema({ $ref: "https://example.test/other.json" })).toThrow(PorticoError);
    expect(() => jsonSchema({ $defs: { a: { $anchor: "a" } }, $ref: "#a" })).not.toThrow();
  });
});
