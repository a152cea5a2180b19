/**
 * A tool's output: the schema of its first 2xx JSON response. An object schema is the output
 * schema as is; any other (an array, a string, …) is wrapped as `{ result: … }`, as MCP wants an
 * object, and results are wrapped alike.
 */
import type { LoadedDocument } from "./document.ts";
import { follow, type Operation } from "./operations.ts";
import type { SchemaConverter } from "./schema.ts";
import { isJsonMediaType, isObject, type JsonObject } from "./util.ts";

export interface OutputPlan {
  /** The output schema to declare (only when output validation is on and a JSON 2xx response exists). */
  readonly schema: JsonObject | undefined;
  /** Wrap the body as `{ result }`: `true`/`false` from the schema, `undefined` (no schema): unless it is an object. */
  readonly wrap: boolean | undefined;
  /** The JSON media type of the success response, asked for with `Accept`. */
  readonly mediaType: string | undefined;
}

/** 2xx status codes in order: `200`, `201`, …, then `2XX`. */
function successCodes(responses: JsonObject): string[] {
  return Object.keys(responses)
    .filter((code) => /^2(\d\d|XX)$/i.test(code))
    .sort((a, b) => (/X/i.test(a) ? 1 : 0) - (/X/i.test(b) ? 1 : 0) || a.localeCompare(b));
}

/** The first 2xx response's JSON media type and schema. */
export function successJson(
  doc: LoadedDocument,
  op: Operation,
): { mediaType: string; schema: unknown } | undefined {
  for (const code of successCodes(op.responses)) {
    const response = follow(doc, op.responses[code]);
    const content = isObject(response) ? response.content : undefined;
    if (!isObject(content)) continue;
    const mediaType = Object.keys(content).find(isJsonMediaType);
    if (mediaType === undefined) continue;
    const media = content[mediaType];
    return { mediaType, schema: isObject(media) && media.schema !== undefined ? media.schema : {} };
  }
  return undefined;
}

/** The media types of the 2xx responses. */
export function successMediaTypes(doc: LoadedDocument, op: Operation): string[] {
  const types = new Set<string>();
  for (const code of successCodes(op.responses)) {
    const response = follow(doc, op.responses[code]);
    if (isObject(response) && isObject(response.content))
      for (const t of Object.keys(response.content)) types.add(t);
  }
  return [...types];
}

export function buildOutput(
  doc: LoadedDocument,
  op: Operation,
  converter: SchemaConverter,
  declare: boolean,
): OutputPlan {
  const json = successJson(doc, op);
  if (json === undefined) return { schema: undefined, wrap: undefined, mediaType: undefined };
  if (!declare) {
    // Only the top level matters here: no need to convert the whole schema.
    const top = follow(doc, json.schema);
    const object = isObject(top) && top.type === "object" && top.nullable !== true;
    return { schema: undefined, wrap: !object, mediaType: json.mediaType };
  }
  const builder = converter.builder("response");
  const converted = builder.convert(json.schema);
  if (isObject(converted) && converted.type === "object") {
    return { schema: builder.finish(converted), wrap: false, mediaType: json.mediaType };
  }
  const wrapped = { type: "object", properties: { result: converted }, required: ["result"] };
  return { schema: builder.finish(wrapped), wrap: true, mediaType: json.mediaType };
}
