/**
 * Parameter values as OpenAPI 3.0/3.1 "Style Values" serialise them: path `simple`/`label`/`matrix`,
 * query `form`/`spaceDelimited`/`pipeDelimited`/`deepObject` (explode as declared; `form` explodes
 * by default), header `simple`, cookie `form`; a parameter declared with JSON `content` as JSON
 * text. Arrays and objects carry scalars only: OpenAPI defines no style for a nested object or
 * list, so one is refused (a `TypeError`: the arguments cannot be sent) rather than sent as a
 * guess; a `null` member is left out, as a missing one.
 */
import type { Parameter } from "./operations.ts";
import { isObject } from "./util.ts";

const enc = encodeURIComponent;

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** A member of an array or object value as text; a nested object or list is refused. */
function member(param: Parameter, value: unknown, at: string): string {
  if (typeof value === "object" && value !== null) {
    throw new TypeError(
      `the ${param.in} parameter ${param.name} holds a nested value at ${JSON.stringify(at)}, which the ${param.style} style cannot send`,
    );
  }
  return scalar(value);
}

/** An object's members that have a value, as `[key, text]` (neither encoded). */
function members(param: Parameter, value: Record<string, unknown>): [string, string][] {
  return Object.entries(value).flatMap(([k, v]): [string, string][] =>
    v === null || v === undefined ? [] : [[k, member(param, v, k)]],
  );
}

/** Array items, object entries (flattened `[k, v, …]` or `k=v`), or the one value, as strings. */
function parts(param: Parameter, value: unknown, explode: boolean, encode: (s: string) => string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) =>
      v === null || v === undefined ? [] : [encode(member(param, v, String(i)))],
    );
  }
  if (isObject(value)) {
    return members(param, value).flatMap(([k, v]) =>
      explode ? [`${encode(k)}=${encode(v)}`] : [encode(k), encode(v)],
    );
  }
  return [encode(scalar(value))];
}

/** The text that replaces `{name}` in the path. */
export function pathValue(param: Parameter, value: unknown): string {
  if (param.json) return enc(JSON.stringify(value));
  const name = enc(param.name);
  switch (param.style) {
    case "label":
      return `.${parts(param, value, param.explode, enc).join(param.explode ? "." : ",")}`;
    case "matrix":
      if (Array.isArray(value) && param.explode)
        return parts(param, value, false, enc)
          .map((v) => `;${name}=${v}`)
          .join("");
      if (isObject(value) && param.explode) return `;${parts(param, value, true, enc).join(";")}`;
      return `;${name}=${parts(param, value, false, enc).join(",")}`;
    default:
      return parts(param, value, param.explode, enc).join(",");
  }
}

/** The separator of a non-exploded list or object in a query value, by style (`form`: a comma). */
const DELIMITERS: Readonly<Record<string, string>> = { spaceDelimited: "%20", pipeDelimited: "|" };

/** `name=value` pairs (already encoded) for the query string. */
export function queryPairs(param: Parameter, value: unknown): string[] {
  const name = enc(param.name);
  if (param.json) return [`${name}=${enc(JSON.stringify(value))}`];
  if (param.style === "deepObject" && isObject(value)) {
    return members(param, value).map(([k, v]) => `${name}[${enc(k)}]=${enc(v)}`);
  }
  const delimiter = DELIMITERS[param.style];
  if (Array.isArray(value) || isObject(value)) {
    // `spaceDelimited` and `pipeDelimited` define no exploded form: their lists and objects are joined.
    if (delimiter !== undefined) return [`${name}=${parts(param, value, false, enc).join(delimiter)}`];
    if (!param.explode) return [`${name}=${parts(param, value, false, enc).join(",")}`];
    if (Array.isArray(value)) return parts(param, value, false, enc).map((v) => `${name}=${v}`);
    return parts(param, value, true, enc);
  }
  return [`${name}=${enc(scalar(value))}`];
}

/** A header value (`simple` style). */
export function headerValue(param: Parameter, value: unknown): string {
  if (param.json) return JSON.stringify(value);
  return parts(param, value, param.explode, (s) => s).join(",");
}

/** One `name=value` of the `Cookie` header. */
export function cookiePair(param: Parameter, value: unknown): string {
  if (param.json) return `${param.name}=${enc(JSON.stringify(value))}`;
  return `${param.name}=${parts(param, value, false, enc).join(",")}`;
}

/** A form body (`application/x-www-form-urlencoded`): arrays repeat their key, objects are JSON text. */
export function formBody(value: unknown): string {
  const form = new URLSearchParams();
  if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) for (const item of v) form.append(key, scalar(item));
      else form.append(key, scalar(v));
    }
  }
  return form.toString();
}
