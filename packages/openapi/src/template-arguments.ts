/**
 * A resource template's variables checked as a tool call's arguments are. The variables are URI
 * text, so each is first read as its parameter schema's type (`7` an integer where the schema wants
 * one, `true` a boolean; list items by the item schema, object members by their property schemas),
 * then the arguments are validated against the operation's input schema: a read the tool's checks
 * would refuse (an enum, a maximum, a pattern, a missing required query parameter) is answered
 * -32602 with the issues, and nothing is sent. Before, template reads passed any text on to the API.
 */
import { type CompiledSchema, compileSchema, ErrorCode, jsonSchema, McpError } from "@portico/core";
import type { ResourceShape } from "./resources.ts";
import { argumentsOf } from "./template-values.ts";
import { isObject, type JsonObject } from "./util.ts";

/** A JSON number literal: the text a number-typed variable must be to be read as one. */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** How deep `typesOf` follows `$ref`s and `anyOf`/`oneOf`/`allOf` branches. */
const MAX_DEPTH = 8;

/** The schema a `#/$defs/Name` reference of the input schema names, else the schema itself. */
function deref(root: JsonObject, schema: unknown): unknown {
  if (!isObject(schema) || typeof schema.$ref !== "string" || !schema.$ref.startsWith("#/$defs/"))
    return schema;
  const defs = root.$defs;
  return isObject(defs) ? defs[schema.$ref.slice("#/$defs/".length)] : undefined;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value === "number" ? "number" : typeof value;
}

/** The JSON types a schema allows, as far as its top keywords say; `undefined`: any. */
function typesOf(root: JsonObject, node: unknown, depth = 0): Set<string> | undefined {
  const schema = deref(root, node);
  if (!isObject(schema) || depth > MAX_DEPTH) return undefined;
  if (typeof schema.type === "string") return new Set([schema.type]);
  if (Array.isArray(schema.type)) return new Set(schema.type.map(String));
  for (const key of ["anyOf", "oneOf"]) {
    const branches = schema[key];
    if (!Array.isArray(branches)) continue;
    const union = new Set<string>();
    for (const branch of branches) {
      const types = typesOf(root, branch, depth + 1);
      if (types === undefined) return undefined;
      for (const t of types) union.add(t);
    }
    return union;
  }
  if (Array.isArray(schema.allOf)) {
    for (const branch of schema.allOf) {
      const types = typesOf(root, branch, depth + 1);
      if (types !== undefined) return types;
    }
  }
  if (Array.isArray(schema.enum)) return new Set(schema.enum.map(jsonType));
  if ("const" in schema) return new Set([jsonType(schema.const)]);
  return undefined;
}

/** URI text as the type its schema wants, when it reads as one; else the text (which validation then judges). */
function coerce(root: JsonObject, schema: unknown, text: string): unknown {
  const types = typesOf(root, schema);
  if (types === undefined || types.has("string")) return text;
  if ((types.has("integer") || types.has("number")) && NUMBER.test(text)) return Number(text);
  if (types.has("boolean") && (text === "true" || text === "false")) return text === "true";
  return text;
}

/** The schema of an object's member `key`: its property, else `additionalProperties`. */
function memberSchema(schema: unknown, key: string): unknown {
  if (!isObject(schema)) return undefined;
  if (isObject(schema.properties) && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  return schema.additionalProperties;
}

/** A variable's value (a string, the items of a list, the members of an object) read by its property schema. */
function read(root: JsonObject, schema: unknown, value: unknown): unknown {
  if (typeof value === "string") return coerce(root, schema, value);
  const resolved = deref(root, schema);
  if (Array.isArray(value)) {
    const items = isObject(resolved) ? resolved.items : undefined;
    return value.map((item) => (typeof item === "string" ? coerce(root, items, item) : item));
  }
  if (!isObject(value)) return value;
  const object: JsonObject = {};
  for (const [key, member] of Object.entries(value)) {
    const typed = typeof member === "string" ? coerce(root, memberSchema(resolved, key), member) : member;
    Object.defineProperty(object, key, {
      value: typed,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

/** `/pet-id/0: …` as `/pet_id/0: …`: the issues named by the template's variables. */
function describe(
  issues: readonly { path: string; message: string }[],
  names: ReadonlyMap<string, string>,
): string {
  return issues
    .map(({ path, message }) => {
      const [, first = "", rest = ""] = /^\/([^/]*)(.*)$/.exec(path) ?? [];
      const arg = first.replace(/~1/g, "/").replace(/~0/g, "~");
      const variable = names.get(arg);
      const shown = variable === undefined ? path : `/${variable}${rest}`;
      return `${shown === "" ? "(root)" : shown}: ${message}`;
    })
    .join("; ");
}

/**
 * The arguments of a template read, checked against `schema` (the operation's input schema,
 * compiled once here); throws an `McpError` -32602 when they do not fit. `what` (`GET /pets/{id}`)
 * names the operation in the message.
 */
export function templateArguments(
  shape: ResourceShape,
  schema: JsonObject,
  what: string,
): (values: Record<string, string | string[]>) => Promise<Record<string, unknown>> {
  const compiled: CompiledSchema = compileSchema(jsonSchema(schema), what);
  const properties = isObject(schema.properties) ? schema.properties : {};
  // An exploded form object's members have a variable each: its issues keep the argument's name.
  const names = new Map(
    [...shape.variables].flatMap(([variable, { arg, member }]) =>
      member === undefined ? [[arg, variable] as const] : [],
    ),
  );
  return async (values) => {
    const args = argumentsOf(shape.variables, values);
    for (const [arg, value] of Object.entries(args)) {
      args[arg] = read(schema, Object.hasOwn(properties, arg) ? properties[arg] : undefined, value);
    }
    const checked = await compiled.validate(args);
    if (!checked.ok) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid params: the URI's variables do not fit the parameters of ${what}: ${describe(checked.issues, names)}`,
      );
    }
    return args;
  };
}
