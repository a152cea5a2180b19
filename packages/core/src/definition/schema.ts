/**
 * Schemas for tool input and output: any Standard Schema. valibot schemas are turned into JSON
 * Schema 2020-12 by core's own converter; other libraries through Standard JSON Schema
 * (`~standard.jsonSchema`); a plain JSON Schema object through `jsonSchema(…)` (json-schema.ts).
 */

import type { StandardSchemaV1 } from "@standard-schema/spec";
import { PorticoError } from "../errors.ts";
import {
  assertValibotConvertible,
  type JsonSchemaObject,
  type SchemaIssue,
  valibotDescribesObject,
  valibotToJsonSchema,
} from "../json-schema/index.ts";
import { isThenable } from "../util/thenable.ts";

export type { JsonSchemaObject, SchemaIssue };

/**
 * What a tool accepts as a schema: a Standard Schema (valibot, zod 4, arktype, …, or `jsonSchema(…)`
 * around a plain JSON Schema object).
 */
export type SchemaLike = StandardSchemaV1;

/** The validated value's type: the schema's output. */
export type InferSchema<S> = S extends StandardSchemaV1 ? StandardSchemaV1.InferOutput<S> : never;

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

function pathOf(issue: StandardSchemaV1.Issue): string {
  let path = "";
  for (const p of issue.path ?? []) {
    const key = String(typeof p === "object" && p !== null && "key" in p ? p.key : p);
    path += `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
  }
  return path;
}

function toJson(schema: StandardSchemaV1, name: string): JsonSchemaObject {
  const props = schema["~standard"] as unknown as StandardJsonSchemaProps;
  if (typeof props.jsonSchema?.input === "function")
    return props.jsonSchema.input({ target: "draft-2020-12" });
  if (props.vendor === "valibot") return valibotToJsonSchema(schema, name);
  throw new PorticoError(
    "schema_not_convertible",
    `The schema of "${name}" has no JSON Schema form: use valibot, a Standard JSON Schema library or jsonSchema(…)`,
  );
}

/**
 * A compiled schema; a valibot schema's JSON Schema is made when first read.
 * @internal Public as {@link CompiledSchema}.
 */
export class Compiled implements CompiledSchema {
  readonly #schema: StandardSchemaV1;
  readonly #name: string;
  readonly #standard: StandardSchemaV1.Props;
  #json: JsonSchemaObject | undefined;
  /** Whether the JSON Schema may carry keywords from valibot metadata (`x-mcp-header`, …). */
  readonly annotated: boolean = true;

  constructor(schema: StandardSchemaV1, name: string, standard: StandardSchemaV1.Props) {
    this.#schema = schema;
    this.#name = name;
    this.#standard = standard;
    if (
      standard.vendor === "valibot" &&
      typeof (standard as StandardJsonSchemaProps).jsonSchema?.input !== "function"
    ) {
      // Converting runs in the interpreter on a cold start (tens of µs a tool): check now, convert
      // on the first `tools/list` or call. Unsupported types are still refused here, as before.
      this.annotated = assertValibotConvertible(schema, name);
    } else {
      this.#json = toJson(schema, name);
    }
  }

  get jsonSchema(): JsonSchemaObject {
    this.#json ??= toJson(this.#schema, this.#name);
    return this.#json;
  }

  /** Whether the JSON Schema's `type` is `"object"` (for valibot, mostly read off the root, not converted). */
  describesObject(): boolean {
    if (this.#json === undefined) {
      const known = valibotDescribesObject(this.#schema);
      if (known !== undefined) return known;
    }
    return this.jsonSchema.type === "object";
  }

  async validate(value: unknown): Promise<ValidationResult> {
    let result: StandardSchemaV1.Result<unknown>;
    try {
      const pending = this.#standard.validate(value);
      // Most validators answer synchronously: no extra turn for them.
      result = isThenable(pending) ? await pending : pending;
    } catch (error) {
      // A validator that recurses into the value overflows the stack on a value nested deeper than
      // it can follow (possible when `maxJsonDepth` is raised): the value is refused, not the server broken.
      if (error instanceof RangeError) return { ok: false, issues: [{ path: "", message: TOO_DEEP }] };
      throw error;
    }
    if (result.issues === undefined) return { ok: true, value: result.value };
    return { ok: false, issues: result.issues.map((i) => ({ path: pathOf(i), message: i.message })) };
  }
}

const TOO_DEEP = "The value is nested too deeply to be checked";

function compile(schema: SchemaLike, name: string): Compiled {
  // Some libraries' schemas are functions (arktype).
  const standard = (schema as Partial<StandardSchemaV1> | null | undefined)?.["~standard"];
  if (standard) return new Compiled(schema, name, standard);
  throw new PorticoError(
    "invalid_schema",
    `The schema of "${name}" must be a Standard Schema (valibot, zod, …) or jsonSchema(plain JSON Schema)`,
  );
}

/**
 * Compiles a schema once, at registration time: refuses what has no JSON Schema form. A valibot
 * schema is converted when `jsonSchema` is first read (the others at once).
 */
export function compileSchema(schema: SchemaLike, name: string): CompiledSchema {
  return compile(schema, name);
}

/**
 * Compiles a tool's schema and checks it describes an object, as MCP requires of `inputSchema`
 * and `outputSchema` (`which`: "input" or "output").
 * @internal
 */
export function compileObjectSchema(schema: SchemaLike, tool: string, which: string): Compiled {
  const compiled = compile(schema, tool);
  if (!compiled.describesObject()) {
    const type = compiled.jsonSchema.type;
    throw new PorticoError(
      "invalid_schema",
      `The ${which} schema of tool "${tool}" must describe an object (JSON Schema type "object"), not ${JSON.stringify(type ?? "an untyped value")}`,
    );
  }
  return compiled;
}

/** Issues a description names; the rest are counted ("… and 99990 more"). */
export const MAX_DESCRIBED_ISSUES = 10;
/** Longest path or message of one issue as described (cut with `…`). */
const MAX_ISSUE_CHARS = 300;

const cut = (text: string) => (text.length > MAX_ISSUE_CHARS ? `${text.slice(0, MAX_ISSUE_CHARS)}…` : text);

/**
 * "a: Expected number; /b: Required property is missing": the offending paths, the first
 * {@link MAX_DESCRIBED_ISSUES} of them, each cut to a bounded length — an answer a client's bad
 * arguments cannot make large, however many places they fail in.
 */
export function describeIssues(issues: SchemaIssue[]): string {
  const described = issues
    .slice(0, MAX_DESCRIBED_ISSUES)
    .map((i) => `${i.path === "" ? "(root)" : cut(i.path)}: ${cut(i.message)}`)
    .join("; ");
  const more = issues.length - MAX_DESCRIBED_ISSUES;
  return more > 0 ? `${described}; … and ${more} more` : described;
}
