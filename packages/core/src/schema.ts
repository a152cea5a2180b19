/**
 * Schemas for tool input and output: any Standard Schema (valibot, zod 4, arktype, …) or a plain
 * JSON Schema object. Everything becomes JSON Schema 2020-12 on the wire.
 */
import { isThenable } from "./_thenable.ts";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { toJsonSchema } from "@valibot/to-json-schema";
import { type SchemaIssue, validateJsonSchema } from "./_json-schema-validate.ts";
import { PorticoError } from "./errors.ts";

export type { SchemaIssue };

/** A plain JSON Schema object (2020-12 by default). */
export type JsonSchemaObject = { [key: string]: unknown };

/** What a tool accepts as a schema. */
export type SchemaLike = StandardSchemaV1 | JsonSchemaObject;

/** The validated value's type: a Standard Schema's output, or `Record<string, unknown>` for JSON Schema. */
export type InferSchema<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : Record<string, unknown>;

export type ValidationResult = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

/** A schema ready for use: its JSON Schema form and a validator. */
export interface CompiledSchema {
  readonly jsonSchema: JsonSchemaObject;
  validate(value: unknown): Promise<ValidationResult>;
}

interface StandardJsonSchemaProps {
  jsonSchema?: { input?: (o: { target: string }) => Record<string, unknown> };
  vendor?: string;
}

function isStandardSchema(schema: SchemaLike): schema is StandardSchemaV1 {
  return typeof schema === "object" && schema !== null && "~standard" in schema;
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  if (!issue.path || issue.path.length === 0) return "";
  return `/${issue.path
    .map((p) => String(typeof p === "object" && p !== null && "key" in p ? p.key : p))
    .map((k) => k.replace(/~/g, "~0").replace(/\//g, "~1"))
    .join("/")}`;
}

function toJson(schema: StandardSchemaV1, name: string): JsonSchemaObject {
  const props = schema["~standard"] as unknown as StandardJsonSchemaProps;
  if (typeof props.jsonSchema?.input === "function")
    return props.jsonSchema.input({ target: "draft-2020-12" });
  if (props.vendor === "valibot") {
    return toJsonSchema(schema as unknown as Parameters<typeof toJsonSchema>[0], {
      target: "draft-2020-12",
      errorMode: "ignore",
    }) as JsonSchemaObject;
  }
  throw new PorticoError(
    "schema_not_convertible",
    `The schema of "${name}" cannot be turned into JSON Schema: use valibot, a Standard JSON Schema library, or a plain JSON Schema object`,
  );
}

/** Compiles a schema once, at registration time. */
export function compileSchema(schema: SchemaLike, name: string): CompiledSchema {
  if (isStandardSchema(schema)) {
    const jsonSchema = toJson(schema, name);
    return {
      jsonSchema,
      async validate(value) {
        const pending = schema["~standard"].validate(value);
        // Most validators answer synchronously: no extra turn for them.
        const result = isThenable(pending) ? await pending : pending;
        if (result.issues === undefined) return { ok: true, value: result.value };
        return { ok: false, issues: result.issues.map((i) => ({ path: pathOf(i), message: i.message })) };
      },
    };
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new PorticoError("invalid_schema", `The schema of "${name}" must be an object`);
  }
  return {
    jsonSchema: schema,
    async validate(value) {
      const issues = validateJsonSchema(schema, value);
      return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
    },
  };
}

/** "a: Expected number; /b: Required property is missing" — names every offending path. */
export function describeIssues(issues: SchemaIssue[]): string {
  return issues.map((i) => `${i.path === "" ? "(root)" : i.path}: ${i.message}`).join("; ");
}
