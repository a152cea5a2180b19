/**
 * Parameter values as OpenAPI serialises them: path `simple`/`label`/`matrix`, query
 * `form`/`spaceDelimited`/`pipeDelimited`/`deepObject` (explode as declared; `form` explodes by
 * default), header `simple`, cookie `form`; a parameter declared with JSON `content` as JSON text.
 */
import type { Parameter } from "./operations.ts";
import { isObject } from "./util.ts";

const enc = encodeURIComponent;

function scalar(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Array items, object entries (flattened `[k, v, …]` or `k=v`), or the one value, as strings. */
function parts(value: unknown, explode: boolean, encode: (s: string) => string): string[] {
  if (Array.isArray(value)) return value.map((v) => encode(scalar(v)));
  if (isObject(value)) {
    return Object.entries(value).flatMap(([k, v]) =>
      explode ? [`${encode(k)}=${encode(scalar(v))}`] : [encode(k), encode(scalar(v))],
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
      return `.${parts(value, param.explode, enc).join(param.explode ? "." : ",")}`;
    case "matrix":
      if (Array.isArray(value) && param.explode)
        return value.map((v) => `;${name}=${enc(scalar(v))}`).join("");
      if (isObject(value) && param.explode) return `;${parts(value, true, enc).join(";")}`;
      return `;${name}=${parts(value, false, enc).join(",")}`;
    default:
      return parts(value, param.explode, enc).join(",");
  }
}

/** `name=value` pairs (already encoded) for the query string. */
export function queryPairs(param: Parameter, value: unknown): string[] {
  const name = enc(param.name);
  if (param.json) return [`${name}=${enc(JSON.stringify(value))}`];
  if (param.style === "deepObject" && isObject(value)) {
    return Object.entries(value).map(([k, v]) => `${name}[${enc(k)}]=${enc(scalar(v))}`);
  }
  if (Array.isArray(value)) {
    if (param.style === "spaceDelimited") return [`${name}=${parts(value, false, enc).join("%20")}`];
    if (param.style === "pipeDelimited") return [`${name}=${parts(value, false, enc).join("|")}`];
    if (param.explode) return value.map((v) => `${name}=${enc(scalar(v))}`);
    return [`${name}=${parts(value, false, enc).join(",")}`];
  }
  if (isObject(value)) {
    if (param.explode) return parts(value, true, enc);
    return [`${name}=${parts(value, false, enc).join(",")}`];
  }
  return [`${name}=${enc(scalar(value))}`];
}

/** A header value (`simple` style). */
export function headerValue(param: Parameter, value: unknown): string {
  if (param.json) return JSON.stringify(value);
  return parts(value, param.explode, (s) => s).join(",");
}

/** One `name=value` of the `Cookie` header. */
export function cookiePair(param: Parameter, value: unknown): string {
  if (param.json) return `${param.name}=${enc(JSON.stringify(value))}`;
  return `${param.name}=${parts(value, false, enc).join(",")}`;
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
