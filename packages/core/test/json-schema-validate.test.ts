import { describe, expect, it } from "vitest";
import { validateJsonSchema } from "../src/json-schema/_validate.ts";

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

  it("multipleOf tolerates binary rounding of decimal divisors", () => {
    expect(validateJsonSchema({ multipleOf: 0.0001 }, 0.0075)).toEqual([]);
    expect(validateJsonSchema({ multipleOf: 0.1 }, 0.3)).toEqual([]);
    expect(validateJsonSchema({ multipleOf: 0.01 }, 19.99)).toEqual([]);
    expect(validateJsonSchema({ multipleOf: 0.0001 }, 0.00751)).toEqual([
      { path: "", message: "Expected a multiple of 0.0001" },
    ]);
    expect(validateJsonSchema({ multipleOf: 1 }, 1e10 + 0.5)).toHaveLength(1);
    expect(validateJsonSchema({ multipleOf: 0.123456789 }, 1e308)).toHaveLength(1);
  });

  it("uniqueItems points at the array and compares JSON values deeply", () => {
    const schema = { type: "object", properties: { tags: { uniqueItems: true } } };
    expect(validateJsonSchema(schema, { tags: [{ a: 1, b: 2 }, 1, { b: 2, a: 1.0 }] })).toEqual([
      { path: "/tags", message: "Expected unique items, but items 0 and 2 are equal" },
    ]);
    expect(validateJsonSchema(schema, { tags: [1, "1", [1], { a: 1 }, true] })).toEqual([]);
  });

  it("object size, dependentRequired, dependentSchemas and propertyNames", () => {
    expect(validateJsonSchema({ minProperties: 2, maxProperties: 3 }, { a: 1 })).toEqual([
      { path: "", message: "Expected at least 2 properties" },
    ]);
    expect(validateJsonSchema({ maxProperties: 1 }, { a: 1, b: 2 })).toEqual([
      { path: "", message: "Expected at most 1 property" },
    ]);
    const card = { dependentRequired: { "card/no": ["cvc"] } };
    expect(validateJsonSchema(card, { "card/no": "4" })).toEqual([
      { path: "/cvc", message: 'Expected this property because "card/no" is present' },
    ]);
    expect(validateJsonSchema(card, { cvc: "1" })).toEqual([]);
    const dependent = { dependentSchemas: { a: { properties: { b: { type: "string" } } } } };
    expect(validateJsonSchema(dependent, { a: 1, b: 2 })).toEqual([
      { path: "/b", message: "Expected string, received integer" },
    ]);
    expect(validateJsonSchema(dependent, { b: 2 })).toEqual([]);
    expect(validateJsonSchema({ propertyNames: { pattern: "^[a-z]+$" } }, { ok: 1, "Bad~Key": 2 })).toEqual([
      { path: "/Bad~0Key", message: "Expected a valid property name: Expected to match ^[a-z]+$" },
    ]);
  });

  it("required and properties ignore inherited names such as toString", () => {
    expect(validateJsonSchema({ required: ["toString"] }, {})).toEqual([
      { path: "/toString", message: "Required property is missing" },
    ]);
    expect(
      validateJsonSchema({ properties: { a: true }, additionalProperties: false }, { constructor: 1 }),
    ).toEqual([{ path: "/constructor", message: "Unknown property" }]);
  });

  it("if / then / else report the failing branch's own paths", () => {
    const schema = {
      if: { properties: { kind: { const: "card" } }, required: ["kind"] },
      // biome-ignore lint/suspicious/noThenProperty: the JSON Schema keyword; this object is never awaited
      then: { required: ["number"] },
      else: { properties: { iban: { type: "string" } } },
    };
    expect(validateJsonSchema(schema, { kind: "card" })).toEqual([
      { path: "/number", message: "Required property is missing" },
    ]);
    expect(validateJsonSchema(schema, { kind: "bank", iban: 5 })).toEqual([
      { path: "/iban", message: "Expected string, received integer" },
    ]);
    expect(validateJsonSchema(schema, { kind: "card", number: "4" })).toEqual([]);
  });

  it("contains with minContains / maxContains (minContains 0 allows none)", () => {
    const schema = { contains: { type: "integer" }, minContains: 2, maxContains: 3 };
    expect(validateJsonSchema(schema, ["a", 1])).toEqual([
      { path: "", message: 'Expected at least 2 items matching "contains"' },
    ]);
    expect(validateJsonSchema(schema, [1, 2, 3, 4])).toEqual([
      { path: "", message: 'Expected at most 3 items matching "contains"' },
    ]);
    expect(validateJsonSchema({ contains: { type: "integer" } }, [])).toEqual([
      { path: "", message: 'Expected at least 1 item matching "contains"' },
    ]);
    expect(validateJsonSchema({ contains: { type: "integer" }, minContains: 0 }, [])).toEqual([]);
  });

  it("unevaluatedProperties sees through allOf, $ref and the passing anyOf branch only", () => {
    const schema = {
      $defs: { base: { properties: { id: { type: "string" } } } },
      allOf: [{ $ref: "#/$defs/base" }],
      anyOf: [{ properties: { a: { const: 1 } }, required: ["a"] }, { properties: { b: true } }],
      unevaluatedProperties: false,
    };
    expect(validateJsonSchema(schema, { id: "x", a: 1, b: 2 })).toEqual([]);
    expect(validateJsonSchema(schema, { id: "x", a: 2, b: 2 })).toEqual([
      { path: "/a", message: "Unknown property" },
    ]);
    // a property another keyword already rejected is not reported again as unknown
    expect(validateJsonSchema(schema, { id: 1, b: 2, c: 3 })).toEqual([
      { path: "/id", message: "Expected string, received integer" },
      { path: "/c", message: "Unknown property" },
    ]);
  });

  it("unevaluatedItems after prefixItems and contains", () => {
    const schema = { prefixItems: [{ type: "string" }], contains: { const: true }, unevaluatedItems: false };
    expect(validateJsonSchema(schema, ["a", true, true])).toEqual([]);
    expect(validateJsonSchema(schema, ["a", true, 3])).toEqual([
      { path: "/2", message: "No value is allowed here" },
    ]);
  });

  it("resolves $anchor and $id-relative refs", () => {
    const schema = {
      $id: "https://example.test/order.json",
      properties: { item: { $ref: "item.json" }, note: { $ref: "#note" } },
      $defs: {
        item: { $id: "item.json", type: "object", required: ["sku"] },
        note: { $anchor: "note", type: "string", maxLength: 3 },
      },
    };
    expect(validateJsonSchema(schema, { item: {}, note: "long" })).toEqual([
      { path: "/item/sku", message: "Required property is missing" },
      { path: "/note", message: "Expected at most 3 characters" },
    ]);
  });

  it("a $ref cycle that never descends into the value fails instead of looping", () => {
    expect(validateJsonSchema({ $ref: "#" }, 1)).toEqual([
      { path: "", message: "Expected a value the schema can check within 128 nested schemas" },
    ]);
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(validateJsonSchema({ items: { $ref: "#" } }, deep)).toHaveLength(1);
  });

  it("format is an annotation, not an assertion", () => {
    expect(validateJsonSchema({ format: "email" }, "not an email")).toEqual([]);
  });
});

describe("$dynamicRef through a JSON Pointer $ref", () => {
  // JSON Schema Test Suite, draft2020-12 optional/dynamicRef.json: a pointer that reaches a
  // resource of its own (`item`) through another (`bar`) does not put `bar` in the dynamic scope.
  const schema = {
    $id: "https://test.json-schema.org/dynamic-ref-skips-intermediate-resource/optional/main",
    type: "object",
    properties: { "bar-item": { $ref: "bar#/$defs/item" } },
    $defs: {
      bar: {
        $id: "bar",
        type: "array",
        items: { $ref: "item" },
        $defs: {
          item: {
            $id: "item",
            type: "object",
            properties: { content: { $dynamicRef: "#content" } },
            $defs: { defaultContent: { $dynamicAnchor: "content", type: "integer" } },
          },
          content: { $dynamicAnchor: "content", type: "string" },
        },
      },
    },
  };

  it("skips the resource it went through: the target's own dynamic anchor applies", () => {
    expect(validateJsonSchema(schema, { "bar-item": { content: 42 } })).toStrictEqual([]);
    expect(validateJsonSchema(schema, { "bar-item": { content: "value" } })).not.toStrictEqual([]);
  });
});
