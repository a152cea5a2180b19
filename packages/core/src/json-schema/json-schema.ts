/**
 * A plain JSON Schema object as a tool schema. `jsonSchema(schema)` wraps it into a Standard Schema
 * (validated by core's small JSON Schema validator) that is also a Standard JSON Schema (sent as
 * written), so the validator is in a bundle only when a server uses it.
 *
 * ```ts
 * addTool(server, "add", { description: "…", input: jsonSchema<{ a: number; b: number }>({
 *   type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"],
 * }) }, ({ a, b }) => String(a + b));
 * ```
 */
import type { StandardJSONSchemaV1, StandardSchemaV1 } from "@standard-schema/spec";
import { PorticoError } from "../errors.ts";
import { schemaProblem } from "./_ref.ts";
import { validateJsonSchema } from "./_validate.ts";

/** A plain JSON Schema object (2020-12 by default). */
export type JsonSchemaObject = { [key: string]: unknown };

/** A JSON Schema wrapped by `jsonSchema()`; `T` is what the handler receives (not checked against the schema). */
export interface JsonSchema<T = Record<string, unknown>> {
  readonly "~standard": StandardSchemaV1.Props<T> & StandardJSONSchemaV1.Props<T>;
  /** The schema as given. */
  readonly schema: JsonSchemaObject;
}

/** `"/a/b~1c"` → `["a", "b/c"]`. */
function segments(pointer: string): string[] {
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/**
 * Wraps a JSON Schema object (2020-12 by default) for use as a tool's `input` or `output`. The
 * schema goes on the wire verbatim; values are checked against type, enum, const, min/maxLength,
 * pattern, minimum/maximum, exclusiveMinimum/exclusiveMaximum, multipleOf, properties,
 * patternProperties, additionalProperties, propertyNames, required, dependentRequired,
 * dependentSchemas, min/maxProperties, prefixItems, items, contains, min/maxContains,
 * min/maxItems, uniqueItems, allOf/anyOf/oneOf/not, if/then/else, unevaluatedProperties,
 * unevaluatedItems, and `$ref`/`$dynamicRef` to JSON Pointers, `$anchor`s and `$id`s inside the
 * schema. `format` and the content keywords are annotations (not checked, as 2020-12 specifies by
 * default), and so is every unknown keyword. A `$ref` that does not resolve inside the schema
 * (nothing is fetched), a keyword value of another shape than 2020-12's meta-schema gives it
 * (`"items": [ … ]`, `"maxLength": "5"`, a `pattern` that is no ECMA-262 regular expression,
 * with the `u` flag or else without it) and subschemas nested deeper than 64 levels throw a
 * `PorticoError` with code `invalid_schema` here: such a keyword is never skipped. A value whose
 * check would take more than a million subschema applications (a recursive `anyOf`/`oneOf` doubles
 * the work per level of the value) fails with one issue instead of running for minutes.
 */
export function jsonSchema<T = Record<string, unknown>>(schema: JsonSchemaObject): JsonSchema<T> {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new PorticoError("invalid_schema", "jsonSchema() takes a JSON Schema object");
  }
  const problem = schemaProblem(schema);
  if (problem !== undefined) throw new PorticoError("invalid_schema", `jsonSchema(): ${problem}`);
  const convert = () => schema;
  return {
    schema,
    "~standard": {
      version: 1,
      vendor: "portico",
      validate(value) {
        const issues = validateJsonSchema(schema, value);
        if (issues.length === 0) return { value: value as T };
        return { issues: issues.map((i) => ({ message: i.message, path: segments(i.path) })) };
      },
      jsonSchema: { input: convert, output: convert },
    },
  };
}
