/** The JSON Schema sent for a valibot schema describes what valibot accepts: no keyword it does not mean. */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { valibotToJsonSchema } from "../src/json-schema/_valibot.ts";

const json = (schema: object) => valibotToJsonSchema(schema, "t");

describe("valibot → JSON Schema fidelity", () => {
  it("notLength is left out, never turned into minLength", () => {
    const schema = v.pipe(v.string(), v.notLength(3));
    expect(v.safeParse(schema, "ab").success).toBe(true);
    expect(json(schema)).not.toHaveProperty("minLength");
    expect(json(schema)).not.toHaveProperty("maxLength");
  });

  // 2020-12 validation §6.4.2: minItems counts the items that must be present; valibot accepts a
  // tuple whose trailing optional items are missing.
  it("a tuple's minItems leaves out trailing optional items", () => {
    const schema = v.tuple([v.string(), v.optional(v.number()), v.undefinedable(v.boolean()), v.unknown()]);
    expect(v.safeParse(schema, ["a"]).success).toBe(true);
    expect(json(schema).minItems).toBe(1);
    expect(json(v.tuple([v.optional(v.string()), v.number()])).minItems).toBe(2);
    // a missing item is `undefined`, which exactOptional does not accept (it only concerns keys)
    const exact = v.tuple([v.string(), v.exactOptional(v.boolean())]);
    expect(v.safeParse(exact, ["a"]).success).toBe(false);
    expect(json(exact).minItems).toBe(2);
  });

  // 2020-12 validation §6.3.3 / core §6.4: patterns are ECMA-262 regexes, which clients compile
  // with the u flag; a source that only compiles without it would break their schema.
  it("a regex whose source does not compile with the u flag is left out", () => {
    // `\-` outside a class: fine without the u flag, a syntax error with it
    // biome-ignore lint/complexity/useRegexLiterals: as a literal, the linter would drop the `\-`
    const dashed = new RegExp("^\\d{3}\\-\\d{4}$");
    expect(json(v.pipe(v.string(), v.regex(dashed)))).not.toHaveProperty("pattern");
    expect(json(v.pipe(v.string(), v.regex(/^\d{3}-\d{4}$/))).pattern).toBe("^\\d{3}-\\d{4}$");
  });

  it("keeps an entry named __proto__ as a property", () => {
    const entries: Record<string, unknown> = {};
    Object.defineProperty(entries, "__proto__", { value: v.string(), enumerable: true });
    entries.a = v.number();
    const out = json(v.object(entries as Record<string, v.GenericSchema>));
    expect(Object.hasOwn(out.properties as object, "__proto__")).toBe(true);
    expect(JSON.stringify(out.properties)).toBe('{"__proto__":{"type":"string"},"a":{"type":"number"}}');
    expect(out.required).toEqual(["__proto__", "a"]);
  });
});
