import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { compileSchema, PorticoError } from "../src/index.ts";

const json = (schema: Parameters<typeof compileSchema>[0]) => compileSchema(schema, "t").jsonSchema;
const DIALECT = "https://json-schema.org/draft/2020-12/schema";

describe("valibot → JSON Schema", () => {
  it("converts objects with required and optional keys", () => {
    const schema = v.object({
      a: v.number(),
      b: v.optional(v.string(), "x"),
      c: v.nullish(v.boolean()),
      d: v.nullable(v.literal("on")),
    });
    expect(json(schema)).toEqual({
      $schema: DIALECT,
      type: "object",
      properties: {
        a: { type: "number" },
        b: { type: "string", default: "x" },
        c: { anyOf: [{ type: "boolean" }, { type: "null" }] },
        d: { anyOf: [{ const: "on" }, { type: "null" }] },
      },
      required: ["a", "d"],
    });
  });

  it("requires the keys valibot requires: every wrapper but optional, exact_optional and nullish", () => {
    const schema = v.object({
      optional: v.optional(v.string()),
      exact: v.exactOptional(v.string()),
      nullish: v.nullish(v.string()),
      undefinedable: v.undefinedable(v.string()),
      nullable: v.nullable(v.string()),
      required: v.nonOptional(v.optional(v.string(), "x")),
    });
    expect(json(schema)).toMatchObject({
      properties: {
        optional: { type: "string" },
        exact: { type: "string" },
        nullish: { anyOf: [{ type: "string" }, { type: "null" }] },
        undefinedable: { type: "string" },
        nullable: { anyOf: [{ type: "string" }, { type: "null" }] },
        required: { type: "string", default: "x" },
      },
      required: ["undefinedable", "nullable", "required"],
    });
    // valibot agrees on which keys may be missing.
    expect(v.safeParse(schema, { undefinedable: undefined, nullable: null, required: "y" }).success).toBe(
      true,
    );
    expect(v.safeParse(schema, { undefinedable: "a", nullable: "b" }).success).toBe(false);
    expect(() => json(v.object({ a: v.nonNullish(v.string()) }))).toThrowError(
      /"non_nullish" is not supported/,
    );
  });

  it("says what strict, loose and rest objects allow", () => {
    expect(json(v.strictObject({})).additionalProperties).toBe(false);
    expect(json(v.looseObject({}))).not.toHaveProperty("additionalProperties");
    expect(json(v.objectWithRest({}, v.number())).additionalProperties).toEqual({ type: "number" });
    expect(json(v.record(v.string(), v.number()))).toMatchObject({
      type: "object",
      propertyNames: { type: "string" },
      additionalProperties: { type: "number" },
    });
  });

  it("converts arrays, tuples, unions, picklists and enums", () => {
    expect(json(v.array(v.string()))).toMatchObject({ type: "array", items: { type: "string" } });
    expect(json(v.strictTuple([v.string(), v.number()]))).toMatchObject({
      type: "array",
      prefixItems: [{ type: "string" }, { type: "number" }],
      minItems: 2,
      items: false,
    });
    expect(json(v.tupleWithRest([v.string()], v.boolean())).items).toEqual({ type: "boolean" });
    expect(json(v.union([v.string(), v.number()]))).toMatchObject({
      anyOf: [{ type: "string" }, { type: "number" }],
    });
    expect(json(v.intersect([v.object({ a: v.string() }), v.object({ b: v.string() })])).allOf).toHaveLength(
      2,
    );
    expect(json(v.picklist(["a", "b"]))).toMatchObject({ type: "string", enum: ["a", "b"] });
    expect(json(v.picklist(["a", 1]))).toMatchObject({ type: ["string", "number"], enum: ["a", 1] });
    enum Color {
      Red = "red",
      Blue = "blue",
    }
    expect(json(v.enum(Color))).toMatchObject({ type: "string", enum: ["red", "blue"] });
  });

  it("maps pipe actions onto keywords", () => {
    const schema = v.object({
      n: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20), v.description("How many")),
      s: v.pipe(v.string(), v.minLength(2), v.maxLength(5), v.regex(/^[a-z]+$/), v.title("Slug")),
      e: v.pipe(v.string(), v.email()),
      u: v.pipe(v.string(), v.url()),
      id: v.pipe(v.string(), v.uuid()),
      list: v.pipe(v.array(v.string()), v.nonEmpty(), v.maxLength(3)),
      r: v.pipe(v.string(), v.metadata({ "x-mcp-header": "Region" })),
    });
    expect(json(schema).properties).toEqual({
      n: { type: "integer", minimum: 1, maximum: 20, description: "How many" },
      s: { type: "string", minLength: 2, maxLength: 5, pattern: "^[a-z]+$", title: "Slug" },
      e: { type: "string", format: "email" },
      u: { type: "string", format: "uri" },
      id: { type: "string", format: "uuid" },
      list: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 3 },
      r: { type: "string", "x-mcp-header": "Region" },
    });
  });

  it("describes the input side of a pipe that transforms", () => {
    const schema = v.pipe(
      v.string(),
      v.trim(),
      v.minLength(1),
      v.transform(Number),
      v.number(),
      v.minValue(3),
    );
    expect(json(schema)).toEqual({ $schema: DIALECT, type: "string", minLength: 1 });
    // A regex with flags JSON Schema cannot express is left out (valibot still checks it).
    expect(json(v.pipe(v.string(), v.regex(/^a/i)))).not.toHaveProperty("pattern");
  });

  it("names a schema type it cannot convert", () => {
    for (const schema of [v.object({ when: v.date() }), v.lazy(() => v.string()), v.bigint()]) {
      expect(() => compileSchema(schema, "calendar")).toThrow(PorticoError);
    }
    expect(() => compileSchema(v.object({ when: v.date() }), "calendar")).toThrow(
      /"calendar" has no JSON Schema form: valibot's "date" is not supported/,
    );
  });

  it("prefers a Standard JSON Schema converter when the schema has one", () => {
    const schema = v.string();
    const withJson = {
      "~standard": {
        ...schema["~standard"],
        jsonSchema: { input: () => ({ type: "string", "x-own": true }), output: () => ({}) },
      },
    };
    expect(json(withJson)).toEqual({ type: "string", "x-own": true });
  });
});
