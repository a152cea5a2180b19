/**
 * A valibot tool schema is checked at registration and converted to JSON Schema when first needed
 * (a list, or a 2026-07-28 call of a tool whose schema carries metadata): a cold start no longer
 * converts every tool's schema. Conversion calls a field's default function, which is how these
 * tests see when it ran.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { addTool, compileSchema, createHandler, ErrorCode, McpServer, PorticoError } from "../src/index.ts";
import {
  assertValibotConvertible,
  valibotDescribesObject,
  valibotToJsonSchema,
} from "../src/json-schema/index.ts";
import { modern } from "./_client.ts";

/** An input whose conversion counts itself: valibot calls the default only for a missing `note`. */
function counted() {
  let conversions = 0;
  const input = v.object({
    a: v.number(),
    note: v.optional(v.string(), () => {
      conversions++;
      return "none";
    }),
  });
  return { input, conversions: () => conversions };
}

function server() {
  return new McpServer({ name: "t", version: "1.0.0" });
}

describe("valibot tool schemas are converted when first needed", () => {
  it("registration converts nothing; the first tools/list converts once", async () => {
    const s = server();
    const plain = counted();
    addTool(s, "plain", { input: plain.input }, ({ a }) => String(a));
    expect(plain.conversions()).toBe(0);
    const h = createHandler(s);
    const first = await modern(h, "tools/list");
    expect(plain.conversions()).toBe(1);
    expect(first.final.result.tools[0].inputSchema).toMatchObject({
      type: "object",
      properties: { a: { type: "number" }, note: { type: "string", default: "none" } },
      required: ["a"],
    });
    await modern(h, "tools/list");
    expect(plain.conversions()).toBe(1);
  });

  it("a 2026-07-28 call of a tool without metadata converts nothing", async () => {
    const s = server();
    const plain = counted();
    addTool(s, "plain", { input: plain.input }, ({ a, note }) => `${a} ${note}`);
    const answer = await modern(createHandler(s), "tools/call", {
      name: "plain",
      arguments: { a: 1, note: "x" },
    });
    expect(answer.final.result.content[0].text).toBe("1 x");
    expect(plain.conversions()).toBe(0);
  });

  it("a call of a tool with x-mcp-header metadata converts and checks its Mcp-Param headers", async () => {
    const s = server();
    let conversions = 0;
    const input = v.object({
      region: v.pipe(v.string(), v.metadata({ "x-mcp-header": "Region" })),
      note: v.optional(v.string(), () => {
        conversions++;
        return "none";
      }),
    });
    addTool(s, "route", { input }, ({ region }) => `region ${region}`);
    expect(conversions).toBe(0);
    const h = createHandler(s, { onError: () => {} });
    const args = { name: "route", arguments: { region: "eu", note: "n" } };
    const missing = await modern(h, "tools/call", args);
    expect(missing.status).toBe(400);
    expect(missing.final.error.code).toBe(ErrorCode.HeaderMismatch);
    expect(conversions).toBe(1);
    const right = await modern(h, "tools/call", args, { headers: { "mcp-param-region": "eu" } });
    expect(right.final.result.content[0].text).toBe("region eu");
    expect(conversions).toBe(1);
  });

  it("still refuses an unsupported type at registration, wherever it sits, with the converter's message", () => {
    const nested = [
      v.object({ when: v.date() }),
      v.object({ when: v.optional(v.date()) }),
      v.object({ list: v.array(v.pipe(v.bigint(), v.minValue(1n))) }),
      v.object({ pick: v.union([v.string(), v.date()]) }),
      v.object({ pair: v.tupleWithRest([v.string()], v.date()) }),
      v.object({ map: v.record(v.string(), v.date()) }),
      v.objectWithRest({}, v.date()),
      v.pipe(
        v.object({ deep: v.object({ deeper: v.nullable(v.date()) }) }),
        v.check(() => true),
      ),
    ];
    for (const input of nested) {
      let caught: unknown;
      try {
        addTool(server(), "t", { input }, () => "x");
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PorticoError);
      expect((caught as PorticoError).code).toBe("schema_not_convertible");
      const bigint = (caught as Error).message.includes('"bigint"');
      expect((caught as Error).message).toBe(
        `The schema of "t" has no JSON Schema form: valibot's "${bigint ? "bigint" : "date"}" is not supported`,
      );
    }
  });

  it("a default that cannot be described (it throws, or is not JSON) is left out, and tools/list answers", async () => {
    const s = server();
    addTool(
      s,
      "odd",
      {
        input: v.object({
          thrown: v.optional(v.string(), () => {
            throw new Error("no config");
          }),
          big: v.optional(v.number(), 10n as never),
          endless: v.optional(v.number(), Number.POSITIVE_INFINITY),
          kept: v.optional(v.object({ n: v.number() }), { n: 1 }),
        }),
      },
      () => "x",
    );
    const answer = await modern(createHandler(s), "tools/list");
    expect(answer.status).toBe(200);
    const { properties } = answer.final.result.tools[0].inputSchema;
    expect(properties.thrown).toEqual({ type: "string" });
    expect(properties.big).toEqual({ type: "number" });
    expect(properties.endless).toEqual({ type: "number" });
    expect(properties.kept.default).toEqual({ n: 1 });
  });

  it("refuses a schema made to contain itself at registration, instead of walking it forever", () => {
    const looped = v.object({ a: v.string() });
    (looped.entries as Record<string, unknown>).self = looped;
    let caught: unknown;
    try {
      addTool(server(), "t", { input: looped }, () => "x");
    } catch (error) {
      caught = error;
    }
    expect((caught as PorticoError).code).toBe("schema_not_convertible");
    expect((caught as Error).message).toContain("more than 1000 levels deep");
    // A deep but finite schema is still taken.
    let deep: v.GenericSchema = v.string();
    for (let i = 0; i < 200; i++) deep = v.object({ next: deep });
    expect(() =>
      addTool(server(), "deep", { input: deep as v.ObjectSchema<v.ObjectEntries, undefined> }, () => "x"),
    ).not.toThrow();
  });

  it("compileSchema's jsonSchema is the same object on every read", () => {
    const compiled = compileSchema(v.object({ a: v.string() }), "t");
    expect(compiled.jsonSchema).toBe(compiled.jsonSchema);
  });
});

/** Schemas the converter takes and refuses, roots and nested, for the agreement checks below. */
const CASES: Record<string, object> = {
  string: v.string(),
  "string pipe": v.pipe(v.string(), v.minLength(1), v.description("d")),
  "number to string": v.pipe(v.number(), v.transform(String)),
  literal: v.literal("on"),
  "bigint literal": v.literal(1n),
  picklist: v.picklist(["a", 1]),
  "symbol picklist": v.picklist([Symbol.for("x")] as never),
  enum: v.enum({ A: "a" }),
  any: v.any(),
  date: v.date(),
  lazy: v.lazy(() => v.string()),
  array: v.array(v.number()),
  "array of dates": v.array(v.date()),
  tuple: v.strictTuple([v.string(), v.optional(v.number())]),
  union: v.union([v.object({ a: v.string() }), v.object({ b: v.string() })]),
  variant: v.variant("k", [v.object({ k: v.literal("a") })]),
  intersect: v.intersect([v.object({ a: v.string() }), v.object({ b: v.string() })]),
  object: v.object({ a: v.string(), b: v.optional(v.number(), 3) }),
  "loose object": v.looseObject({}),
  "strict object": v.strictObject({ a: v.string() }),
  "object with rest": v.objectWithRest({}, v.number()),
  "object with date rest": v.objectWithRest({}, v.date()),
  record: v.record(v.string(), v.number()),
  "optional object": v.optional(v.object({ a: v.string() })),
  "exact optional object": v.exactOptional(v.object({})),
  "undefinedable object": v.undefinedable(v.object({})),
  "non-optional object": v.nonOptional(v.optional(v.object({}))),
  "nullable object": v.nullable(v.object({})),
  "nullish object": v.nullish(v.object({})),
  "non-nullish object": v.nonNullish(v.object({})),
  "object pipe": v.pipe(
    v.object({ a: v.string() }),
    v.check(() => true),
  ),
  "object pipe, transformed": v.pipe(
    v.object({ a: v.string() }),
    v.transform((o) => o.a),
  ),
  "object pipe, metadata": v.pipe(v.object({}), v.metadata({ title: "t" })),
  "object pipe, metadata typed": v.pipe(v.object({}), v.metadata({ type: "string" })),
  "nested pipes": v.pipe(
    v.pipe(
      v.object({}),
      v.check(() => true),
    ),
    v.description("d"),
  ),
  "string pipe of an object's field": v.object({
    region: v.pipe(v.string(), v.metadata({ "x-mcp-header": "Region" })),
  }),
};

describe("the registration check agrees with the converter", () => {
  for (const [name, schema] of Object.entries(CASES)) {
    it(name, () => {
      let converted: Record<string, unknown> | undefined;
      let refusal: string | undefined;
      try {
        converted = valibotToJsonSchema(schema, "t");
      } catch (error) {
        refusal = (error as Error).message;
      }
      if (refusal === undefined) {
        expect(() => assertValibotConvertible(schema, "t")).not.toThrow();
        // Where the root decides, it decides as converting does.
        const root = valibotDescribesObject(schema);
        if (root !== undefined) expect(root).toBe(converted?.type === "object");
        // "No metadata" means no keyword beyond the converter's own.
        if (!assertValibotConvertible(schema, "t")) expect(JSON.stringify(converted)).not.toContain("x-mcp");
      } else {
        expect(() => assertValibotConvertible(schema, "t")).toThrowError(refusal);
      }
    });
  }

  it("covers both answers of each check", () => {
    const roots = Object.values(CASES).map((s) => {
      try {
        return valibotDescribesObject(s);
      } catch {
        return "throws";
      }
    });
    expect(roots).toEqual(expect.arrayContaining([true, false, undefined]));
    const annotated = Object.values(CASES).flatMap((s) => {
      try {
        return [assertValibotConvertible(s, "t")];
      } catch {
        return [];
      }
    });
    expect(annotated).toEqual(expect.arrayContaining([true, false]));
  });
});
