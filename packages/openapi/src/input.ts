/**
 * A tool's input schema and the plan that takes its arguments apart again: parameters are
 * properties (a name used in two locations gets the later location as suffix: `id__query`); a
 * JSON or form body whose schema is a plain object is merged in (its properties and required
 * list; the plan says which arguments go back into it), any other body is one `body` property.
 */
import type { Operation, Parameter } from "./operations.ts";
import type { ReadOnlyPlan, ReadOnlyPlanner } from "./read-only.ts";
import type { SchemaConverter } from "./schema.ts";
import { styleProblem } from "./styles.ts";
import { essence, isJsonMediaType, isObject, type JsonObject } from "./util.ts";

const LOCATIONS = ["path", "query", "header", "cookie"] as const;
const FORM = "application/x-www-form-urlencoded";
/** Keywords that keep a body schema from being merged: its properties alone would not say it all. */
const UNMERGEABLE = [
  "$ref",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "patternProperties",
  "dependentSchemas",
  "unevaluatedProperties",
  "propertyNames",
];

/**
 * Which arguments a merged body carries. The input schema allows properties it does not list, so
 * without this a client could set a `readOnly` property (`role: "admin"`) the input schema hides.
 */
export interface MergedFields {
  /** The body schema's properties (its `readOnly` ones left out). */
  readonly own: ReadonlySet<string>;
  /** Its `readOnly` properties: never sent. */
  readonly readOnly: ReadonlySet<string>;
  /** Whether other arguments go in too: the body schema allows additional properties. */
  readonly others: boolean;
}

export interface BodyPlan {
  /** The content type sent. */
  readonly mediaType: string;
  readonly form: boolean;
  /** The argument holding the body; `undefined` when the body's properties were merged (`fields`). */
  readonly arg: string | undefined;
  /** The arguments a merged body carries; `undefined` for a body in one argument. */
  readonly fields: MergedFields | undefined;
  readonly required: boolean;
  /** Where the body's `readOnly` properties are, at every depth (never sent); `undefined`: none. */
  readonly withheld: ReadOnlyPlan | undefined;
}

export interface ArgPlan {
  readonly params: readonly { readonly arg: string; readonly param: Parameter }[];
  readonly body: BodyPlan | undefined;
}

export type Input = { ok: true; schema: JsonObject; plan: ArgPlan } | { ok: false; reason: string };

/** The media type a request body is sent as, and its schema; or why none fits. */
function pickBody(content: JsonObject): { mediaType: string; schema: unknown } | { reason: string } {
  const types = Object.keys(content);
  const chosen = types.find(isJsonMediaType) ?? types.find((t) => essence(t) === FORM);
  if (chosen === undefined) {
    return { reason: `request body media type ${types.join(", ")} is not supported (JSON and form only)` };
  }
  const media = content[chosen];
  return { mediaType: chosen, schema: isObject(media) ? media.schema : undefined };
}

function mergeable(schema: unknown): schema is JsonObject {
  if (!isObject(schema) || schema.type !== "object") return false;
  if (UNMERGEABLE.some((k) => schema[k] !== undefined)) return false;
  const extra = schema.additionalProperties;
  if (extra !== undefined && typeof extra !== "boolean") return false;
  // A free-form object (no properties) is clearer as one `body` argument.
  return isObject(schema.properties) && Object.keys(schema.properties).length > 0;
}

function parameterSchema(param: Parameter, converted: unknown): unknown {
  if (!isObject(converted)) return converted;
  const prop: JsonObject = { ...converted };
  if (param.description !== undefined && prop.description === undefined) prop.description = param.description;
  if (param.deprecated) prop.deprecated = true;
  if (param.example !== undefined && prop.examples === undefined) prop.examples = [param.example];
  return prop;
}

/**
 * Builds the input schema of an operation's tool; `planner` finds the body's `readOnly` parts.
 * An operation with a parameter style that cannot be sent, or a body that cannot, is refused.
 */
export function buildInput(op: Operation, converter: SchemaConverter, planner: ReadOnlyPlanner): Input {
  for (const param of op.parameters) {
    const problem = styleProblem(param);
    if (problem !== undefined) return { ok: false, reason: problem };
  }
  const builder = converter.builder("request");
  const properties: JsonObject = {};
  const required: string[] = [];
  const params: { arg: string; param: Parameter }[] = [];
  const claim = (name: string, location: string): string => {
    let arg = name in properties ? `${name}__${location}` : name;
    for (let i = 2; arg in properties; i += 1) arg = `${name}__${location}_${i}`;
    return arg;
  };
  for (const location of LOCATIONS) {
    for (const param of op.parameters) {
      if (param.in !== location) continue;
      const arg = claim(param.name, location);
      properties[arg] = parameterSchema(param, builder.convert(param.schema));
      if (param.required) required.push(arg);
      params.push({ arg, param });
    }
  }
  let body: BodyPlan | undefined;
  const content = op.requestBody?.content;
  if (isObject(content) && Object.keys(content).length > 0) {
    if (op.info.method === "GET" || op.info.method === "HEAD") {
      return { ok: false, reason: `a ${op.info.method} request cannot carry a body` };
    }
    const picked = pickBody(content);
    if ("reason" in picked) return { ok: false, reason: picked.reason };
    const bodyRequired = op.requestBody?.required === true;
    const form = essence(picked.mediaType) === FORM;
    const schema = builder.convert(picked.schema ?? {});
    const withheld = planner.plan(picked.schema);
    if (
      mergeable(schema) &&
      Object.keys(schema.properties as JsonObject).every((name) => !(name in properties))
    ) {
      const own = schema.properties as JsonObject;
      Object.assign(properties, own);
      if (Array.isArray(schema.required)) required.push(...(schema.required as string[]));
      const fields: MergedFields = {
        own: new Set(Object.keys(own)),
        readOnly: new Set(converter.hiddenProperties(picked.schema, "request")),
        others: schema.additionalProperties !== false,
      };
      body = { mediaType: picked.mediaType, form, arg: undefined, fields, required: bodyRequired, withheld };
    } else {
      const arg = claim("body", "body");
      properties[arg] = schema;
      if (bodyRequired) required.push(arg);
      body = { mediaType: picked.mediaType, form, arg, fields: undefined, required: bodyRequired, withheld };
    }
  }
  const root: JsonObject = { type: "object", properties };
  if (required.length > 0) root.required = [...new Set(required)];
  return { ok: true, schema: builder.finish(root), plan: { params, body } };
}
