import { describe, expect, it } from "vitest";
import { validateJsonSchema } from "../src/_json-schema-validate.ts";

describe("JSON Schema subset validator", () => {
  it("compares const/enum regardless of key order", () => {
    expect(validateJsonSchema({ const: { a: 1, b: 2 } }, { b: 2, a: 1 })).toEqual([]);
    expect(validateJsonSchema({ enum: [{ x: 1, y: 2 }] }, { y: 2, x: 1 })).toEqual([]);
    expect(validateJsonSchema({ const: { a: 1 } }, { a: 2 })).toHaveLength(1);
  });

  it("honours patternProperties next to additionalProperties: false", () => {
    const schema = {
      type: "object",
      patternProperties: { "^x-": { type: "string" } },
      additionalProperties: false,
    };
    expect(validateJsonSchema(schema, { "x-a": "ok" })).toEqual([]);
    expect(validateJsonSchema(schema, { "x-a": 1 })).toEqual([
      { path: "/x-a", message: "Expected string, received integer" },
    ]);
    expect(validateJsonSchema(schema, { other: "no" })).toEqual([
      { path: "/other", message: "Unknown property" },
    ]);
  });

  it("names every offending path", () => {
    const schema = { type: "object", properties: { a: { type: "number" } }, required: ["a", "b"] };
    expect(validateJsonSchema(schema, { a: "1" }).map((i) => i.path)).toEqual(["/b", "/a"]);
  });
});
