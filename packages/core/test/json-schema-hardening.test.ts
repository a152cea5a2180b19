/**
 * The validator fails closed: a schema it cannot apply as written is refused by `jsonSchema()`
 * (and never validates everything), and attacker data cannot make it skip or overwork a keyword.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { PorticoError } from "../src/errors.ts";
import { MAX_STEPS, validateJsonSchema } from "../src/json-schema/_validate.ts";
import { jsonSchema } from "../src/json-schema/json-schema.ts";

const refused = (schema: Record<string, unknown>, why: RegExp): void => {
  expect(() => jsonSchema(schema)).toThrowError(PorticoError);
  expect(() => jsonSchema(schema)).toThrowError(why);
};

describe("JSON Schema validator hardening", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // 2020-12 core §10.3.1.2: "items" MUST be a valid JSON Schema (tuples are "prefixItems").
  // Validation §6: maxLength is a non-negative integer, multipleOf a number > 0, "required" an
  // array of strings, "type" one of the seven names; §6.3.3 "pattern" is an ECMA-262 regex.
  it("refuses keyword values of the wrong shape instead of ignoring the keyword", () => {
    refused({ type: "array", items: [{ type: "number" }] }, /"items" must be a schema/);
    refused({ properties: { a: { maxLength: "5" } } }, /"maxLength" must be a non-negative integer/);
    refused({ required: "name" }, /"required" must be an array of strings/);
    refused({ multipleOf: 0 }, /"multipleOf" must be a number above 0/);
    refused({ type: "int" }, /"type"/);
    refused({ anyOf: { type: "string" } }, /"anyOf" must be an array of schemas/);
    refused({ properties: { a: "string" } }, /"properties" must be an object of schemas/);
    refused({ pattern: /^a$/ as unknown as string }, /"pattern" must be a string/);
    // the same schemas never pass a value when validated directly
    expect(validateJsonSchema({ type: "array", items: [{ type: "number" }] }, ["x"])).toHaveLength(1);
    expect(validateJsonSchema({ properties: { a: { maxLength: "5" } } }, { a: "x".repeat(9) })).toHaveLength(
      1,
    );
  });

  // Core §6.4: patterns are ECMA-262 regexes, built with the u flag where they can be.
  it("a pattern that only compiles without the u flag still asserts", () => {
    // `\-` outside a class is a syntax error under the u flag, fine without it (Annex B)
    const phone = { type: "string", pattern: "^\\d{3}\\-\\d{4}$" };
    expect(() => jsonSchema(phone)).not.toThrow();
    expect(validateJsonSchema(phone, "555-1234")).toEqual([]);
    expect(validateJsonSchema(phone, "anything")).toHaveLength(1);
    expect(validateJsonSchema({ pattern: "^\\p{L}+$" }, "é")).toEqual([]);
  });

  it("refuses a pattern that is no regular expression, and fails it closed", () => {
    refused({ pattern: "^(abc" }, /"pattern" must be a valid regular expression/);
    refused({ patternProperties: { "[z-a]": { type: "number" } } }, /patternProperties/);
    expect(validateJsonSchema({ pattern: "^(abc" }, "abc")).toHaveLength(1);
  });

  it("refuses a schema nested deeper than it indexes, and a cyclic schema object", () => {
    let deep: Record<string, unknown> = { $ref: "#nowhere" };
    for (let i = 0; i < 70; i++) deep = { properties: { a: deep } };
    refused(deep, /nested deeper than/);
    const cyclic: Record<string, unknown> = { type: "object" };
    cyclic.properties = { self: cyclic };
    refused(cyclic, /nested deeper than/);
  });

  // Core §8.2.3.1: a "$ref" whose target cannot be resolved makes the schema unusable; skipping it
  // would accept any value.
  it("fails closed on a $ref it cannot resolve", () => {
    expect(validateJsonSchema({ $ref: "#nope" }, 1)).toHaveLength(1);
    expect(validateJsonSchema({ $dynamicRef: "other.json#x" }, 1)).toHaveLength(1);
  });

  // Validation §6.2.1: valid only if value / multipleOf "results in an integer".
  it("multipleOf an integer is exact (no tolerance for a value one ulp off)", () => {
    expect(validateJsonSchema({ multipleOf: 1 }, 1.0000000000000002)).toHaveLength(1);
    expect(validateJsonSchema({ multipleOf: 2 }, 4.000000000000001)).toHaveLength(1);
    expect(validateJsonSchema({ multipleOf: 2 }, 4)).toEqual([]);
    expect(validateJsonSchema({ multipleOf: 0.1 }, 0.3)).toEqual([]);
  });

  it("never runs the pattern on a string already longer than maxLength", () => {
    // `^(a|a)*$` backtracks exponentially on a long non-matching string, so that one regex is
    // stubbed here: what matters is that a string maxLength rejects is never handed to it
    const seen: string[] = [];
    const real = RegExp.prototype.test;
    const stub = vi.spyOn(RegExp.prototype, "test").mockImplementation(function (this: RegExp, text: string) {
      if (this.source !== "^(a|a)*$") return real.call(this, text);
      seen.push(text);
      return false;
    });
    const schema = { type: "string", maxLength: 32, pattern: "^(a|a)*$" };
    const long = validateJsonSchema(schema, `${"a".repeat(5000)}b`);
    const short = validateJsonSchema(schema, "aab");
    stub.mockRestore();
    expect(long).toEqual([{ path: "", message: "Expected at most 32 characters" }]);
    expect(short).toEqual([{ path: "", message: "Expected to match ^(a|a)*$" }]);
    expect(seen).toContain("aab");
    expect(seen.filter((text) => text.length > 32)).toEqual([]);
  });
  it("bounds the work one value can cause: a recursive anyOf is refused, not run for 2^depth", () => {
    // every anyOf branch is applied (unevaluated* needs them all), so each level doubles the work
    const node = { type: "object", properties: { next: { $ref: "#/$defs/node" } } };
    const schema = {
      $defs: { node: { anyOf: [node, { ...node, required: ["tag"] }] } },
      $ref: "#/$defs/node",
    };
    const nested = (depth: number): Record<string, unknown> =>
      depth === 0 ? {} : { next: nested(depth - 1) };
    expect(validateJsonSchema(schema, nested(8))).toEqual([]); // 2^8 is no problem
    const costly = validateJsonSchema(schema, nested(40)); // 2^40 applications without the bound
    expect(costly).toEqual([
      { path: "", message: `The value is too costly to check against this schema (over ${MAX_STEPS} steps)` },
    ]);
    // the bound is far above what a large linear value needs
    const items = Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `n${i}` }));
    const list = {
      type: "array",
      items: { type: "object", properties: { id: { type: "integer" }, name: { type: "string" } } },
    };
    expect(validateJsonSchema(list, items)).toEqual([]);
    expect(validateJsonSchema(list, [...items, { id: "x" }])).toEqual([
      { path: "/100000/id", message: expect.stringMatching(/integer/) },
    ]);
  });
});
