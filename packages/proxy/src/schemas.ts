/**
 * A proxied tool's `inputSchema` and `outputSchema` as Portico schemas: wrapped with core's
 * `jsonSchema()`, which validates locally; with `unvalidatedSchemas: "forward"`, a schema that
 * `jsonSchema()` refuses is advertised as is, accepts every value, and is reported; so is, whatever
 * the mode, a schema whose regular expressions Portico will not run (`riskyPattern`).
 */

import { type JsonSchema, type JsonSchemaObject, jsonSchema, PorticoError } from "@portico/core";
import type { Json } from "./json.ts";
import { excerpt, riskyPattern } from "./safe-pattern.ts";
import type { UnvalidatedSchema } from "./types.ts";

/** What becomes of a schema core's validator refuses (`ProxyOptions.unvalidatedSchemas`). */
export type UnvalidatedSchemas = "skip" | "forward";

/** `unvalidatedSchemas`, checked: `"skip"` (default) or `"forward"`. */
export function unvalidatedSchemasOf(value: unknown): UnvalidatedSchemas {
  if (value === undefined) return "skip";
  if (value === "skip" || value === "forward") return value;
  throw new TypeError(
    `proxy: unvalidatedSchemas must be "skip" or "forward", not ${typeof value === "string" ? JSON.stringify(value) : String(value)}`,
  );
}

/**
 * `schema` (the tool `name`'s input or output schema) as a Portico schema. A schema `jsonSchema()`
 * refuses (`invalid_schema`) throws with `"skip"`; with `"forward"` it becomes `advertised(schema)`
 * and is added to `unvalidated`.
 */
export function toolSchema(
  schema: JsonSchemaObject,
  which: UnvalidatedSchema["schema"],
  name: string,
  mode: UnvalidatedSchemas,
  unvalidated: UnvalidatedSchema[],
): JsonSchema<Json> {
  const risky = riskyPattern(schema);
  if (risky !== undefined) {
    // Core runs a schema's patterns with V8's backtracking RegExp: the upstream's `^(a+)+$` and a
    // 32-character string held the event loop for 10 s. Such a schema is advertised as it is and
    // left to the upstream to validate, whatever `unvalidatedSchemas` says: the schema is not
    // wrong, Portico only declines to run it (skipping would drop tools with common patterns).
    const reason = `proxy: the ${which}Schema's pattern ${JSON.stringify(excerpt(risky))} is not run locally: its matching time could grow faster than the text's length (nested or adjacent repetition, a backreference or a lookaround); the upstream validates`;
    unvalidated.push({ name, schema: which, reason });
    return advertised(schema);
  }
  try {
    return jsonSchema<Json>(schema);
  } catch (error) {
    if (mode !== "forward" || !(error instanceof PorticoError) || error.code !== "invalid_schema")
      throw error;
    unvalidated.push({ name, schema: which, reason: error.message });
    return advertised(schema);
  }
}

/**
 * A Standard Schema shaped as `jsonSchema()`'s: its JSON Schema form is `schema` itself (sent on
 * the wire verbatim), and it accepts every value as it is — the upstream validates.
 */
export function advertised(schema: JsonSchemaObject): JsonSchema<Json> {
  const convert = () => schema;
  return {
    schema,
    "~standard": {
      version: 1,
      vendor: "portico-proxy",
      validate: (value) => ({ value: value as Json }),
      jsonSchema: { input: convert, output: convert },
    },
  };
}
