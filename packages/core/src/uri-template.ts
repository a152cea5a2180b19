/**
 * RFC 6570 URI templates, levels 1–4: parse (with clear errors), expand, and match (the inverse,
 * for the shapes resource templates use). Matching is a small memoised backtracking matcher over
 * the parsed template (no regular expression is built from the template), with length limits and
 * a work budget, so a hostile URI cannot make it run long.
 */

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
/** Variables recovered by `match`: exploded variables become arrays, all others strings. */
export type UriTemplateMatch = Record<string, string | string[]>;

/** Longest template `UriTemplate` accepts. */
export const URI_TEMPLATE_MAX_LENGTH = 1000;
/** Longest URI `match` considers; longer URIs never match. */
export const URI_TEMPLATE_MAX_URI_LENGTH = 8192;
/** Characters the matcher may examine per `match` call before it gives up (no match). */
const MATCH_BUDGET = 200_000;

/** A malformed template. `index` is the offending position in the template. */
export class UriTemplateError extends Error {
  readonly index: number;
  constructor(message: string, template: string, index: number) {
    const shown = template.length > 80 ? `${template.slice(0, 80)}…` : template;
    super(`Invalid URI template ${JSON.stringify(shown)} at index ${index}: ${message}`);
    this.name = "UriTemplateError";
    this.index = index;
  }
}

type Operator = "" | "+" | "#" | "." | "/" | ";" | "?" | "&";
interface OperatorSpec {
  readonly first: string;
  readonly sep: string;
  readonly named: boolean;
  readonly ifemp: string;
  readonly reserved: boolean;
}
const OPERATORS: Readonly<Record<Operator, OperatorSpec>> = {
  "": { first: "", sep: ",", named: false, ifemp: "", reserved: false },
  "+": { first: "", sep: ",", named: false, ifemp: "", reserved: true },
  "#": { first: "#", sep: ",", named: false, ifemp: "", reserved: true },
  ".": { first: ".", sep: ".", named: false, ifemp: "", reserved: false },
  "/": { first: "/", sep: "/", named: false, ifemp: "", reserved: false },
  ";": { first: ";", sep: ";", named: true, ifemp: "", reserved: false },
  "?": { first: "?", sep: "&", named: true, ifemp: "=", reserved: false },
  "&": { first: "&", sep: "&", named: true, ifemp: "=", reserved: false },
};
const OPERATOR_CHARS = "+#./;?&";
const FUTURE_OPERATOR_CHARS = "=,!@|";
const RESERVED_CHARS = ":/?#[]@!$&'()*+,;=";
const VARNAME = /^(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*$/;
const PREFIX_LENGTH = /^[1-9][0-9]{0,3}$/;

interface VarSpec {
  readonly name: string;
  readonly explode: boolean;
  readonly prefix: number | undefined;
}
interface Expression {
  readonly kind: "expression";
  readonly op: Operator;
  readonly vars: readonly VarSpec[];
}
/** A literal, already in its expanded (percent-encoded where needed) form. */
interface Literal {
  readonly kind: "literal";
  readonly text: string;
}
type Part = Expression | Literal;

/** An expression prepared for matching: the characters its expansion can never contain unencoded. */
interface MatchExpression extends Expression {
  readonly forbidden: string;
  readonly nonEmpty: boolean;
}
type MatchPart = MatchExpression | Literal;

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
   * maps in named expressions (`{?keys*}`) are not recovered.
   */
  match(uri: string): UriTemplateMatch | undefined {
    if (typeof uri !== "string" || uri.length > URI_TEMPLATE_MAX_URI_LENGTH) return undefined;
    return matchParts(this.#matchParts, uri);
  }

  toString(): string {
    return this.template;
  }
}

// ---- parsing ---------------------------------------------------------------------------------

function parseTemplate(template: string): Part[] {
  if (typeof template !== "string") throw new TypeError("URI template must be a string");
  if (template.length > URI_TEMPLATE_MAX_LENGTH) {
    throw new UriTemplateError(`longer than ${URI_TEMPLATE_MAX_LENGTH} characters`, template, 0);
  }
  const parts: Part[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    const ch = template[i]!;
    if (ch === "}") throw new UriTemplateError("'}' without a matching '{'", template, i);
    if (ch !== "{") {
      literal += ch;
      i++;
      continue;
    }
    const close = template.indexOf("}", i + 1);
    if (close < 0) throw new UriTemplateError("unclosed expression '{'", template, i);
    const nested = template.indexOf("{", i + 1);
    if (nested >= 0 && nested < close) throw new UriTemplateError("'{' inside an expression", template, nested);
    if (literal !== "") parts.push({ kind: "literal", text: encode(literal, true) });
    literal = "";
    parts.push(parseExpression(template, i + 1, close));
    i = close + 1;
  }
  if (literal !== "") parts.push({ kind: "literal", text: encode(literal, true) });
  return parts;
}

function parseExpression(template: string, start: number, end: number): Expression {
  let op: Operator = "";
  let offset = start;
  const c = template[start];
  if (start === end || c === undefined) throw new UriTemplateError("empty expression '{}'", template, start - 1);
  if (OPERATOR_CHARS.includes(c)) {
    op = c as Operator;
    offset++;
  } else if (FUTURE_OPERATOR_CHARS.includes(c)) {
    throw new UriTemplateError(`operator '${c}' is reserved for future extensions`, template, start);
  }
  if (offset === end) throw new UriTemplateError("expression has no variable", template, offset);
  const vars: VarSpec[] = [];
  for (const spec of template.slice(offset, end).split(",")) {
    vars.push(parseVarSpec(template, spec, offset));
    offset += spec.length + 1;
  }
  return { kind: "expression", op, vars };
}

function parseVarSpec(template: string, spec: string, offset: number): VarSpec {
  let name = spec;
  let explode = false;
  let prefix: number | undefined;
  const colon = spec.indexOf(":");
  if (spec.endsWith("*")) {
    explode = true;
    name = spec.slice(0, -1);
    if (colon >= 0) {
      throw new UriTemplateError(`'${spec}' has both a prefix and an explode modifier`, template, offset);
    }
  } else if (colon >= 0) {
    const digits = spec.slice(colon + 1);
    if (!PREFIX_LENGTH.test(digits)) {
      throw new UriTemplateError(
        `prefix length '${digits}' must be an integer from 1 to 9999`,
        template,
        offset + colon + 1,
      );
    }
    prefix = Number(digits);
    name = spec.slice(0, colon);
  }
  if (!VARNAME.test(name)) {
    const what = name === "" ? "empty variable name" : `invalid variable name '${name}'`;
    throw new UriTemplateError(what, template, offset);
  }
  return { name, explode, prefix };
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
  return entries.map(([key, x]) => (spec.named ? named(enc(key), x) : `${enc(key)}=${enc(x)}`)).join(spec.sep);
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

function codePointLength(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; count++) i += (s.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
  return count;
}

const HEX = "0123456789ABCDEF";
const pct = (byte: number): string => "%" + HEX[byte >> 4] + HEX[byte & 15];
const isHex = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const isUnreserved = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) ||
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  c === 0x2d ||
  c === 0x2e ||
  c === 0x5f ||
  c === 0x7e;

/**
 * Percent-encodes the UTF-8 bytes of everything outside `unreserved`; with `allowReserved` also
 * keeps reserved characters and existing `%XX` triplets. Lone surrogates encode as U+FFFD.
 */
function encode(s: string, allowReserved: boolean): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (isUnreserved(c) || (allowReserved && RESERVED_CHARS.includes(s[i]!))) out += s[i];
      else if (allowReserved && c === 0x25 && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2))) {
        out += s.slice(i, i + 3);
        i += 2;
      } else out += pct(c);
      continue;
    }
    let cp = s.codePointAt(i) ?? 0xfffd;
    if (cp > 0xffff) i++;
    else if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x800) out += pct(0xc0 | (cp >> 6)) + pct(0x80 | (cp & 63));
    else if (cp < 0x10000) out += pct(0xe0 | (cp >> 12)) + pct(0x80 | ((cp >> 6) & 63)) + pct(0x80 | (cp & 63));
    else {
      out += pct(0xf0 | (cp >> 18)) + pct(0x80 | ((cp >> 12) & 63));
      out += pct(0x80 | ((cp >> 6) & 63)) + pct(0x80 | (cp & 63));
    }
  }
  return out;
}

// ---- matching --------------------------------------------------------------------------------

/** Merges `{?a}{&b}` runs into one query expression and records what each expression may consume. */
function prepareMatch(parts: readonly Part[]): MatchPart[] {
  const merged: Part[] = [];
  for (const part of parts) {
    const last = merged.at(-1);
    if (part.kind === "expression" && part.op === "&" && last?.kind === "expression" && last.op === "?") {
      merged[merged.length - 1] = { kind: "expression", op: "?", vars: [...last.vars, ...part.vars] };
    } else merged.push(part);
  }
  return merged.map((part, index) => {
    if (part.kind === "literal") return part;
    const later = merged.slice(index + 1);
    const introduces = (ch: string): boolean =>
      later.some((p) => (p.kind === "literal" ? p.text.includes(ch) : p.op === ch));
    let forbidden: string;
    if (part.op === "+") forbidden = (introduces("?") ? "?" : "") + (introduces("#") ? "#" : "");
    else if (part.op === "#") forbidden = "";
    else if (part.op === "/") forbidden = "?#";
    else if (part.op === "?" || part.op === "&") forbidden = "#";
    else forbidden = "/?#";
    return { ...part, forbidden, nonEmpty: part.op === "" || part.op === "+" };
  });
}

function matchParts(parts: readonly MatchPart[], uri: string): UriTemplateMatch | undefined {
  const n = uri.length;
  const failed = new Set<number>();
  let budget = MATCH_BUDGET;

  const run = (index: number, pos: number): UriTemplateMatch | undefined => {
    if (budget < 0) return undefined;
    if (index === parts.length) return pos === n ? {} : undefined;
    const key = index * (n + 1) + pos;
    if (failed.has(key)) return undefined;
    const result = step(index, pos);
    if (result === undefined) failed.add(key);
    return result;
  };

  const step = (index: number, pos: number): UriTemplateMatch | undefined => {
    const part = parts[index]!;
    if (part.kind === "literal") {
      return uri.startsWith(part.text, pos) ? run(index + 1, pos + part.text.length) : undefined;
    }
    const first = OPERATORS[part.op].first;
    let maxEnd = pos;
    if (first === "" || uri.startsWith(first, pos)) {
      maxEnd = pos + first.length;
      while (maxEnd < n && !part.forbidden.includes(uri[maxEnd]!)) maxEnd++;
    }
    budget -= maxEnd - pos + 1;
    const minEnd = part.nonEmpty ? pos + 1 : pos;
    const next = parts[index + 1];
    const tryEnd = (end: number): UriTemplateMatch | undefined => {
      budget -= end - pos + 1;
      if (budget < 0) return undefined;
      const own = matchExpression(part, uri.slice(pos, end));
      if (own === undefined) return undefined;
      const rest = run(index + 1, end);
      return rest === undefined ? undefined : mergeMatches(own, rest);
    };
    if (next === undefined) return maxEnd === n && n >= minEnd ? tryEnd(n) : undefined;
    if (next.kind === "literal") {
      for (let end = uri.lastIndexOf(next.text, maxEnd); end >= minEnd; ) {
        const result = tryEnd(end);
        if (result !== undefined) return result;
        end = end === 0 ? -1 : uri.lastIndexOf(next.text, end - 1);
      }
      return undefined;
    }
    for (let end = maxEnd; end >= minEnd; end--) {
      const result = tryEnd(end);
      if (result !== undefined) return result;
    }
    return undefined;
  };

  const result = run(0, 0);
  return budget < 0 ? undefined : result;
}

function matchExpression(expr: MatchExpression, text: string): UriTemplateMatch | undefined {
  if (text === "") return {};
  const spec = OPERATORS[expr.op];
  if (!text.startsWith(spec.first)) return undefined;
  const body = text.slice(spec.first.length);
  return spec.named ? matchNamed(expr.vars, body, spec.sep) : matchUnnamed(expr.vars, body, spec.sep);
}

function matchUnnamed(vars: readonly VarSpec[], body: string, sep: string): UriTemplateMatch | undefined {
  const out: UriTemplateMatch = {};
  const only = vars.length === 1 ? vars[0] : undefined;
  // A lone string value may contain its separator unencoded only when it is "," (a joined list) or ".".
  if (only !== undefined && !only.explode && (sep === "," || sep === ".")) {
    const value = decodeValue(body, only);
    if (value === undefined) return undefined;
    setVar(out, only.name, value);
    return out;
  }
  const pieces = body.split(sep);
  let extra = pieces.length - vars.length;
  let at = 0;
  for (const v of vars) {
    if (at >= pieces.length) break;
    if (v.explode) {
      const take = 1 + Math.max(0, extra);
      extra = 0;
      const items: string[] = [];
      for (const piece of pieces.slice(at, at + take)) {
        const item = decodeValue(piece, v);
        if (item === undefined) return undefined;
        items.push(item);
      }
      setVar(out, v.name, items);
      at += take;
    } else {
      const value = decodeValue(pieces[at]!, v);
      if (value === undefined) return undefined;
      setVar(out, v.name, value);
      at++;
    }
  }
  return at === pieces.length ? out : undefined;
}

function matchNamed(vars: readonly VarSpec[], body: string, sep: string): UriTemplateMatch | undefined {
  const found = new Map<string, string[]>();
  for (const piece of body.split(sep)) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    const name = eq < 0 ? piece : piece.slice(0, eq);
    const values = found.get(name) ?? [];
    values.push(eq < 0 ? "" : piece.slice(eq + 1));
    found.set(name, values);
  }
  const out: UriTemplateMatch = {};
  for (const v of vars) {
    const raw = found.get(v.name);
    if (raw === undefined) continue;
    const decoded: string[] = [];
    for (const value of v.explode ? raw : raw.slice(0, 1)) {
      const item = decodeValue(value, v);
      if (item === undefined) return undefined;
      decoded.push(item);
    }
    setVar(out, v.name, v.explode ? decoded : decoded[0]!);
  }
  return out;
}

function decodeValue(raw: string, v: VarSpec): string | undefined {
  let value = raw;
  if (raw.includes("%")) {
    try {
      value = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return v.prefix !== undefined && codePointLength(value) > v.prefix ? undefined : value;
}

/** Own, enumerable data property even for names like `__proto__`. */
function setVar(target: UriTemplateMatch, name: string, value: string | string[]): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function mergeMatches(own: UriTemplateMatch, rest: UriTemplateMatch): UriTemplateMatch | undefined {
  for (const [name, value] of Object.entries(own)) {
    if (!Object.hasOwn(rest, name)) continue;
    const other = rest[name];
    const same = Array.isArray(value)
      ? Array.isArray(other) && other.length === value.length && other.every((x, i) => x === value[i])
      : other === value;
    if (!same) return undefined;
  }
  return { ...own, ...rest };
}
