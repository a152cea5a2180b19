/**
 * RFC 6570 URI templates, levels 1–4: parse (with clear errors), expand, and match (the inverse,
 * for the shapes resource templates use). Matching is a small memoised backtracking matcher over
 * the parsed template (no regular expression is built from the template), with length limits and
 * a work budget, so a hostile URI cannot make it run long.
 */

import type { MatchPart, UriTemplateMatch } from "./_match.ts";
import { matchParts, prepareMatch } from "./_match.ts";
import type { Expression, OperatorSpec, Part, VarSpec } from "./_syntax.ts";
import { encode, OPERATORS, parseTemplate } from "./_syntax.ts";

/** A scalar variable value; numbers and booleans expand as `String(value)`. */
export type UriTemplateScalar = string | number | boolean;
/** A variable value: a string, a list, or an associative array (keys in insertion order). */
export type UriTemplateValue =
  | UriTemplateScalar
  | readonly UriTemplateScalar[]
  | { readonly [key: string]: UriTemplateScalar }
  | null
  | undefined;
export type UriTemplateVariables = { readonly [name: string]: UriTemplateValue };
export type { UriTemplateMatch } from "./_match.ts";
export { URI_TEMPLATE_MAX_LENGTH, UriTemplateError } from "./_syntax.ts";

/** Longest URI `match` considers; longer URIs never match. */
export const URI_TEMPLATE_MAX_URI_LENGTH = 8192;

export class UriTemplate {
  readonly template: string;
  /** Variable names in order of first appearance, without duplicates. */
  readonly variableNames: readonly string[];
  readonly #parts: readonly Part[];
  readonly #matchParts: readonly MatchPart[];

  /** Parses `template`; throws `UriTemplateError` if it is malformed. */
  constructor(template: string) {
    this.template = template;
    this.#parts = parseTemplate(template);
    this.#matchParts = prepareMatch(this.#parts);
    const names = new Set<string>();
    for (const part of this.#parts) {
      if (part.kind === "expression") for (const v of part.vars) names.add(v.name);
    }
    this.variableNames = [...names];
  }

  static parse(template: string): UriTemplate {
    return new UriTemplate(template);
  }

  /** Expands the template (RFC 6570 section 3); undefined, null, empty lists and empty maps are skipped. */
  expand(variables: UriTemplateVariables = {}): string {
    let out = "";
    for (const part of this.#parts) {
      out += part.kind === "literal" ? part.text : expandExpression(part, variables);
    }
    return out;
  }

  /**
   * Recovers the variables from a URI this template could have produced, or `undefined`.
   * Anchored at both ends; values are percent-decoded. `{x}` and `{+x}` need at least one
   * character; `{x}` never spans `/`, `?` or `#`. Query parts (`{?a,b}{&c}`) match in any order,
   * may be missing and may carry unknown parameters. Exploded variables give arrays; exploded
   * maps in named expressions (`{?keys*}`) are not recovered. A decoded value may be `..` or hold
   * `/` (from `%2F`), as expansion allows: a handler that makes a path of it must check it.
   */
  match(uri: string): UriTemplateMatch | undefined {
    if (typeof uri !== "string" || uri.length > URI_TEMPLATE_MAX_URI_LENGTH) return undefined;
    return matchParts(this.#matchParts, uri);
  }

  toString(): string {
    return this.template;
  }
}

// ---- expansion -------------------------------------------------------------------------------

function expandExpression(expr: Expression, variables: UriTemplateVariables): string {
  const spec = OPERATORS[expr.op];
  let out = "";
  let first = true;
  for (const v of expr.vars) {
    const value = Object.hasOwn(variables, v.name) ? variables[v.name] : undefined;
    const piece = expandVariable(spec, v, value);
    if (piece === undefined) continue;
    out += (first ? spec.first : spec.sep) + piece;
    first = false;
  }
  return out;
}

function expandVariable(spec: OperatorSpec, v: VarSpec, value: UriTemplateValue): string | undefined {
  if (value === undefined || value === null) return undefined;
  const enc = (s: string): string => encode(s, spec.reserved);
  const named = (name: string, s: string): string => (s === "" ? name + spec.ifemp : `${name}=${enc(s)}`);
  if (typeof value !== "object") {
    const s = v.prefix === undefined ? String(value) : truncate(String(value), v.prefix);
    return spec.named ? named(v.name, s) : enc(s);
  }
  // RFC 6570 §2.4.1: a prefix modifier does not apply to a composite value (a list or a map); an
  // expansion that dropped it would make a URI the template never matches.
  if (v.prefix !== undefined) {
    throw new TypeError(
      `URI template variable {${v.name}:${v.prefix}} takes a string or number: a prefix does not apply to ${Array.isArray(value) ? "a list" : "a map"}`,
    );
  }
  if (Array.isArray(value)) {
    const items = (value as readonly unknown[]).filter((x) => x !== undefined && x !== null).map(String);
    if (items.length === 0) return undefined;
    if (!v.explode) {
      const joined = items.map(enc).join(",");
      return spec.named ? `${v.name}=${joined}` : joined;
    }
    return items.map((s) => (spec.named ? named(v.name, s) : enc(s))).join(spec.sep);
  }
  const entries: [string, string][] = [];
  for (const [key, x] of Object.entries(value as Record<string, unknown>)) {
    if (x !== undefined && x !== null) entries.push([key, String(x)]);
  }
  if (entries.length === 0) return undefined;
  if (!v.explode) {
    const joined = entries.map(([key, x]) => `${enc(key)},${enc(x)}`).join(",");
    return spec.named ? `${v.name}=${joined}` : joined;
  }
  return entries
    .map(([key, x]) => (spec.named ? named(enc(key), x) : `${enc(key)}=${enc(x)}`))
    .join(spec.sep);
}

/** The first `length` code points of `s`. */
function truncate(s: string, length: number): string {
  let count = 0;
  for (let i = 0; i < s.length; count++) {
    if (count === length) return s.slice(0, i);
    i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  }
  return s;
}
