/** The inverse of expansion: a memoised backtracking matcher over the parsed template. */

import type { Expression, Literal, Part, VarSpec } from "./_syntax.ts";
import { codePointLength, OPERATORS } from "./_syntax.ts";

/** Variables recovered by `match`: exploded variables become arrays, all others strings. */
export type UriTemplateMatch = Record<string, string | string[]>;

/** Characters the matcher may examine per `match` call before it gives up (no match). */
const MATCH_BUDGET = 200_000;

/** An expression prepared for matching: the characters its expansion can never contain unencoded. */
interface MatchExpression extends Expression {
  readonly forbidden: string;
  readonly nonEmpty: boolean;
}
export type MatchPart = MatchExpression | Literal;

/** Merges `{?a}{&b}` runs into one query expression and records what each expression may consume. */
export function prepareMatch(parts: readonly Part[]): MatchPart[] {
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

export function matchParts(parts: readonly MatchPart[], uri: string): UriTemplateMatch | undefined {
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
