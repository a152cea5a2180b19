/**
 * What a client's arguments can cost: an answer naming their issues stays small however many places
 * they fail in, `enum` / `const` compare side by side and stop at the first difference (no
 * re-serialising of the client's value), `uniqueItems` is charged to the validation's budget, a
 * number JSON overflows to `Infinity` equals nothing but itself, and no value nested however deep
 * overflows the stack.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, jsonSchema, McpServer } from "../src/index.ts";
import { equal } from "../src/json-schema/_util.ts";
import { MAX_STEPS, validateJsonSchema } from "../src/json-schema/_validate.ts";
import { canonicalJson } from "../src/util/encoding.ts";
import { modernRequest } from "./_client.ts";

const NAMES = Array.from({ length: 15 }, (_, i) => `category-number-${i}`);

describe("the cost of a client's arguments", () => {
  it("answers 100,000 enum failures with the first ten (cut) and a count, not every one", async () => {
    const server = new McpServer({ name: "c", version: "1" });
    const input = jsonSchema({
      type: "object",
      properties: { tags: { type: "array", items: { type: "string", enum: NAMES } } },
    });
    addTool(server, "tag", { input }, () => "ok");
    const handler = createHandler(server, { maxBodyBytes: 2_000_000 });
    const args = { tags: Array(100_000).fill("x") };
    const response = await handler.fetch(modernRequest("tools/call", { name: "tag", arguments: args }));
    const text = await response.text();
    expect(text.length).toBeLessThan(6_000);
    const result = JSON.parse(text).result;
    expect(result.isError).toBe(true);
    expect(result.content[0].text).toMatch(
      /^Invalid arguments for tool tag: \/tags\/0: Expected one of \["category/,
    );
    expect(result.content[0].text).toMatch(/; … and 99990 more$/);
  });

  it("quotes a long enum cut, in one message shared by every failure", () => {
    const long = Array.from({ length: 100 }, (_, i) => `value-${i}`);
    const issues = validateJsonSchema({ type: "array", items: { enum: long } }, ["a", "b"]);
    expect(issues).toHaveLength(2);
    expect(issues[0]?.message.length).toBeLessThanOrEqual(200 + "Expected one of …".length);
    expect(issues[0]?.message.endsWith("…")).toBe(true);
    expect(issues[1]?.message).toBe(issues[0]?.message);
  });

  it("compares an enum entry with a large value without walking it: a different type or key count ends the comparison", () => {
    let nestedReads = 0;
    const counted = (value: object) =>
      new Proxy(value, {
        get(target, key, receiver) {
          nestedReads++;
          return Reflect.get(target, key, receiver);
        },
      });
    const big = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, counted({ deep: [i] })]));
    for (const entry of ["a", 1, null, [1], { k0: { deep: [0] } }]) expect(equal(entry, big)).toBe(false);
    expect(validateJsonSchema({ enum: ["a", 1, null, [1], { k0: { deep: [0] } }] }, big)).toHaveLength(1);
    // At most the one key an entry shares with it is looked into: never the 1,000 nested values.
    expect(nestedReads).toBeLessThanOrEqual(2);
  });

  it("keeps JSON equality: key order ignored, 1 equals 1.0, undefined properties absent, arrays in order", () => {
    expect(equal({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1.0 })).toBe(true);
    expect(equal({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(equal({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(equal([1, 2], [2, 1])).toBe(false);
    expect(equal([], {})).toBe(false);
    expect(equal({ a: [] }, { a: {} })).toBe(false);
    expect(equal(0, -0)).toBe(true);
    expect(equal("1", 1)).toBe(false);
  });

  it("takes a number JSON overflows (1e400 → Infinity) for nothing but itself: not null in enum, const or uniqueItems", () => {
    expect(validateJsonSchema({ enum: ["auto", null] }, Number.POSITIVE_INFINITY)).toHaveLength(1);
    expect(validateJsonSchema({ const: null }, Number.NEGATIVE_INFINITY)).toHaveLength(1);
    expect(validateJsonSchema({ uniqueItems: true }, [Number.POSITIVE_INFINITY, null])).toStrictEqual([]);
    expect(validateJsonSchema({ uniqueItems: true }, JSON.parse("[1e400, 1e999]"))).toHaveLength(1);
    expect(canonicalJson([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null])).toBe(
      "[1e999,-1e999,null]",
    );
  });

  it("compares and writes values nested 200,000 deep without overflowing the stack", () => {
    let a: unknown = 1;
    let b: unknown = 2;
    for (let i = 0; i < 200_000; i++) {
      a = [a];
      b = [b];
    }
    expect(validateJsonSchema({ uniqueItems: true }, [a, b])).toStrictEqual([]);
    expect(validateJsonSchema({ uniqueItems: true }, [a, a])).toHaveLength(1);
    expect(validateJsonSchema({ const: [[[2]]] }, a)).toHaveLength(1);
    expect(equal(a, b)).toBe(false);
    expect(canonicalJson(a).length).toBe(400_001);
  });

  it("charges uniqueItems a step per 16 characters of what it compares: past the budget the value is too costly", () => {
    const huge = "x".repeat(16 * MAX_STEPS + 16);
    const issues = validateJsonSchema({ uniqueItems: true }, [huge, "y"]);
    expect(issues).toStrictEqual([
      { path: "", message: `The value is too costly to check against this schema (over ${MAX_STEPS} steps)` },
    ]);
    expect(validateJsonSchema({ uniqueItems: true }, ["x".repeat(1000), "y"])).toStrictEqual([]);
  });

  it("refuses a value a validator overflows the stack on (nested too deeply) as invalid arguments, not a server error", async () => {
    const server = new McpServer({ name: "c", version: "1" });
    const recursing = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: (value: unknown): never => {
          const walk = (v: unknown): never => walk([v]);
          return walk(value);
        },
        jsonSchema: { input: () => ({ type: "object" }), output: () => ({ type: "object" }) },
      },
    };
    const reported: unknown[] = [];
    addTool(server, "deep", { input: recursing as never }, () => "ok");
    const handler = createHandler(server, { onError: (e) => reported.push(e) });
    const response = await handler.fetch(modernRequest("tools/call", { name: "deep", arguments: {} }));
    const result = (await response.json()).result;
    expect(result).toMatchObject({ isError: true });
    expect(result.content[0].text).toBe(
      "Invalid arguments for tool deep: (root): The value is nested too deeply to be checked",
    );
    expect(reported).toStrictEqual([]);
  });
});
