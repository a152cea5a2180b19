/** RFC 6570 template syntax: the parsed form, the operator table, parsing and percent-encoding. */

/** Longest template `UriTemplate` accepts. */
export const URI_TEMPLATE_MAX_LENGTH = 1000;

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

export type Operator = "" | "+" | "#" | "." | "/" | ";" | "?" | "&";
export interface OperatorSpec {
  readonly first: string;
  readonly sep: string;
  readonly named: boolean;
  readonly ifemp: string;
  readonly reserved: boolean;
}
export const OPERATORS: Readonly<Record<Operator, OperatorSpec>> = {
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

export interface VarSpec {
  readonly name: string;
  readonly explode: boolean;
  readonly prefix: number | undefined;
}
export interface Expression {
  readonly kind: "expression";
  readonly op: Operator;
  readonly vars: readonly VarSpec[];
}
/** A literal, already in its expanded (percent-encoded where needed) form. */
export interface Literal {
  readonly kind: "literal";
  readonly text: string;
}
export type Part = Expression | Literal;

// ---- parsing ---------------------------------------------------------------------------------

export function parseTemplate(template: string): Part[] {
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
    if (nested >= 0 && nested < close)
      throw new UriTemplateError("'{' inside an expression", template, nested);
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
  if (start === end || c === undefined)
    throw new UriTemplateError("empty expression '{}'", template, start - 1);
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

export function codePointLength(s: string): number {
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
export function encode(s: string, allowReserved: boolean): string {
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
    else if (cp < 0x10000)
      out += pct(0xe0 | (cp >> 12)) + pct(0x80 | ((cp >> 6) & 63)) + pct(0x80 | (cp & 63));
    else {
      out += pct(0xf0 | (cp >> 18)) + pct(0x80 | ((cp >> 12) & 63));
      out += pct(0x80 | ((cp >> 6) & 63)) + pct(0x80 | (cp & 63));
    }
  }
  return out;
}
