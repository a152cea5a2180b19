/** What the rest of the core uses of the JSON Schema library (its public face is `jsonSchema`). */

export { assertValibotConvertible, valibotDescribesObject, valibotToJsonSchema } from "./_valibot.ts";
export type { SchemaIssue } from "./_validate.ts";
export type { JsonSchema, JsonSchemaObject } from "./json-schema.ts";
export { jsonSchema } from "./json-schema.ts";
