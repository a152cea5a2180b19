/**
 * Which regular expressions of an upstream's schema Portico runs. Core checks `pattern` and
 * `patternProperties` with JavaScript's backtracking `RegExp`, so an upstream's `^(a+)+$` could hold
 * the event loop for seconds on a short string: a conservative parse that counts the choices a
 * backtracking matcher can make keeps only patterns whose work is linear in the text's length.
 */
import type { JsonSchemaObject } from "@portico/core";

/** `pattern` cut to 100 characters, for messages. */
export function excerpt(pattern: string): string {
  return pattern.length > 100 ? `${pattern.slice(0, 99)}…` : pattern;
}

/**
 * How much backtracking a regular expression allows at worst, for a text of length n: up to
 * `coef × n^deg` ways to match; `len` characters walked by its parts without loops, and `tail` of
 * them walked again at each step a loop gives back (what follows the loop).
 */
interface Cost {
  deg: number;
  coef: number;
  len: number;
  tail: number;
}

/** A bound on `coef` (products of large counts are capped, not exact). */
const COEF_CAP = 2 ** 40;
/** A varying count up to this is a number of choices; above it (or `*`, `+`), a loop over the text. */
const MAX_COUNTED = 64;
/** Anchored patterns without loops: fixed work, at most this (`coef × len`). */
const MAX_FIXED_WORK = 65_536;
/**
 * Patterns linear in the text's length: at most this much work per character (`coef × tail`): a
 * 16 MB string then costs about a second at worst (`^a*a{31}!`), an RFC 3339 date-time pattern 24.
 */
const MAX_LINEAR_WORK = 32;
/** Groups nest at most this deep (the analysis recurses). */
const MAX_GROUP_DEPTH = 32;

const UNSAFE = Symbol("unsafe");
const ONE: Cost = { deg: 0, coef: 1, len: 0, tail: 0 };
const CHAR: Cost = { deg: 0, coef: 1, len: 1, tail: 0 };

/** `a` then `b`: what follows a loop is walked again at each of its steps. */
const times = (a: Cost, b: Cost): Cost => ({
  deg: a.deg + b.deg,
  coef: Math.min(a.coef * b.coef, COEF_CAP),
  len: Math.min(a.len + b.len, COEF_CAP),
  tail: b.deg > 0 ? b.tail : a.deg > 0 ? Math.min(a.tail + b.len, COEF_CAP) : 0,
});
const plus = (a: Cost, b: Cost): Cost => ({
  deg: Math.max(a.deg, b.deg),
  coef: Math.min(a.coef + b.coef, COEF_CAP),
  len: Math.max(a.len, b.len),
  tail: Math.max(a.tail, b.tail),
});

function compiles(pattern: string, flags: string): boolean {
  try {
    new RegExp(pattern, flags);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether core may run `pattern` (as it does: ECMA-262 with the `u` flag, else without) on any
 * text: a whitelist parse that counts the choices a backtracking matcher can make. Refused: a
 * backreference, a lookaround, a repeated group that can match in more than one way (`(a+)+`,
 * `(a|ab)*`), repetitions whose choices multiply with the text's length (`\d+\d+`, `\s+$` unanchored,
 * `^\S+@\S+$`), and anything it does not know. Kept: `^[a-z0-9-]+$`, `^\d{4}-\d{2}-\d{2}$`, a UUID
 * or an RFC 3339 date-time. A pattern no flags compile is left to `jsonSchema()` (which refuses it).
 */
export function safePattern(pattern: string): boolean {
  const unicode = compiles(pattern, "u");
  if (!unicode && !compiles(pattern, "")) return true;
  let cost: Cost;
  try {
    cost = new PatternCost(pattern, unicode).total();
  } catch (error) {
    if (error === UNSAFE) return false;
    throw error;
  }
  if (cost.deg > 1 || cost.coef * Math.max(cost.len, 1) > MAX_FIXED_WORK) return false;
  return cost.deg === 0 || cost.coef * Math.max(cost.tail, 1) <= MAX_LINEAR_WORK;
}

class PatternCost {
  readonly source: string;
  readonly unicode: boolean;
  #i = 0;
  #depth = 0;

  constructor(source: string, unicode: boolean) {
    this.source = source;
    this.unicode = unicode;
  }

  total(): Cost {
    const { cost, anchored } = this.#disjunction();
    if (this.#i !== this.source.length) throw UNSAFE;
    // Unanchored, the matcher starts again at each of the text's positions, walking all of it.
    if (anchored) return cost;
    return cost.deg > 0 ? { ...cost, deg: cost.deg + 1 } : { ...cost, deg: 1, tail: cost.len };
  }

  #disjunction(): { cost: Cost; anchored: boolean } {
    let { cost, anchored } = this.#alternative();
    while (this.source[this.#i] === "|") {
      this.#i++;
      const next = this.#alternative();
      cost = plus(cost, next.cost);
      anchored &&= next.anchored;
    }
    return { cost, anchored };
  }

  #alternative(): { cost: Cost; anchored: boolean } {
    const src = this.source;
    const anchored = src[this.#i] === "^";
    let cost = ONE;
    while (this.#i < src.length && src[this.#i] !== "|" && src[this.#i] !== ")") {
      cost = times(cost, this.#term());
    }
    return { cost, anchored };
  }

  #term(): Cost {
    const src = this.source;
    const c = src[this.#i];
    if (c === "^" || c === "$") {
      this.#i++;
      return this.#unquantified();
    }
    if (c === "\\") {
      const d = src[this.#i + 1];
      if (d === "b" || d === "B") {
        this.#i += 2;
        return this.#unquantified();
      }
      this.#escape();
      return this.#quantified(CHAR);
    }
    if (c === "(") return this.#quantified(this.#group());
    if (c === "[") {
      this.#class();
      return this.#quantified(CHAR);
    }
    // Nothing to repeat (not a valid pattern): never here.
    if (c === "*" || c === "+" || c === "?" || (c === "{" && this.#count() !== undefined)) throw UNSAFE;
    // A literal, `.`, or (without `u`) a lone `{`, `}` or `]`.
    this.#i += 1;
    return this.#quantified(CHAR);
  }

  /** An assertion: zero width, no choices; a quantifier on it is not valid. */
  #unquantified(): Cost {
    const c = this.source[this.#i];
    if (c === "*" || c === "+" || c === "?" || (c === "{" && this.#count() !== undefined)) throw UNSAFE;
    return ONE;
  }

  #group(): Cost {
    const src = this.source;
    this.#i++;
    if (src[this.#i] === "?") {
      const next = src[this.#i + 1];
      if (next === ":") this.#i += 2;
      else if (next === "<" && src[this.#i + 2] !== "=" && src[this.#i + 2] !== "!") {
        const close = src.indexOf(">", this.#i);
        if (close < 0) throw UNSAFE;
        this.#i = close + 1;
      } else throw UNSAFE; // a lookahead, a lookbehind, or syntax this parse does not know
    }
    if (++this.#depth > MAX_GROUP_DEPTH) throw UNSAFE;
    const { cost } = this.#disjunction();
    this.#depth--;
    if (src[this.#i] !== ")") throw UNSAFE;
    this.#i++;
    return cost;
  }

  /** `[…]`: one character, whatever is inside. */
  #class(): void {
    const src = this.source;
    this.#i++;
    if (src[this.#i] === "^") this.#i++;
    while (this.#i < src.length && src[this.#i] !== "]") this.#i += src[this.#i] === "\\" ? 2 : 1;
    if (this.#i >= src.length) throw UNSAFE;
    this.#i++;
  }

  /** An escape that stands for one character (or a class of them); a backreference is refused. */
  #escape(): void {
    const src = this.source;
    const d = src[this.#i + 1];
    if (d === undefined || (d >= "1" && d <= "9") || d === "k") throw UNSAFE;
    this.#i += 2;
    const hex = (n: number) => new RegExp(`^[0-9a-fA-F]{${n}}`).test(src.slice(this.#i, this.#i + n));
    if (this.unicode && (d === "u" || d === "p" || d === "P") && src[this.#i] === "{") {
      const close = src.indexOf("}", this.#i);
      if (close < 0) throw UNSAFE;
      this.#i = close + 1;
    } else if (d === "u" && hex(4)) this.#i += 4;
    else if (d === "x" && hex(2)) this.#i += 2;
    else if (d === "c" && /^[a-zA-Z]$/.test(src[this.#i] ?? "")) this.#i += 1;
  }

  /** `{n}`, `{n,}` or `{n,m}` at the position, or `undefined` (a literal `{` without `u`). */
  #count(): { min: number; max: number; length: number } | undefined {
    const match = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.source.slice(this.#i, this.#i + 40));
    if (match === null) return undefined;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === "" ? Infinity : Number(match[3]);
    return { min, max, length: match[0].length };
  }

  /** `body` with the quantifier that follows it, if any. */
  #quantified(body: Cost): Cost {
    const src = this.source;
    const c = src[this.#i];
    let min: number;
    let max: number;
    if (c === "*" || c === "+" || c === "?") {
      [min, max] = c === "*" ? [0, Infinity] : c === "+" ? [1, Infinity] : [0, 1];
      this.#i++;
    } else {
      const count = c === "{" ? this.#count() : undefined;
      if (count === undefined) return body;
      ({ min, max } = count);
      this.#i += count.length;
    }
    if (src[this.#i] === "?") this.#i++; // lazy: the same choices, in another order
    const next = src[this.#i];
    if (next === "*" || next === "+" || next === "?" || (next === "{" && this.#count() !== undefined))
      throw UNSAFE;
    if (body.deg === 0 && body.coef === 1) {
      // One way to match each time: the only choice is how many times.
      if (min === max) return { deg: 0, coef: 1, len: Math.min(body.len * min, COEF_CAP), tail: 0 };
      if (max <= MAX_COUNTED) return { deg: 0, coef: max - min + 1, len: body.len * max, tail: 0 };
      return { deg: 1, coef: 1, len: body.len, tail: 0 };
    }
    // Several ways each time: they multiply with the repetitions.
    if (max === Infinity || max > MAX_COUNTED) throw UNSAFE;
    return {
      deg: body.deg * max,
      coef: Math.min((max - min + 1) * body.coef ** max, COEF_CAP),
      len: body.len * max,
      tail: body.tail,
    };
  }
}

/** Every `pattern` and `patternProperties` key anywhere in `schema`, as JSON (iteratively). */
function patternsOf(schema: JsonSchemaObject): Set<string> {
  const patterns = new Set<string>();
  const stack: unknown[] = [schema];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "pattern" && typeof value === "string") patterns.add(value);
      else if (key === "patternProperties" && typeof value === "object" && value !== null)
        for (const regex of Object.keys(value)) patterns.add(regex);
      stack.push(value);
    }
  }
  return patterns;
}

/**
 * The first regular expression of `schema` (a `pattern`, a `patternProperties` key) that
 * {@link safePattern} refuses: the upstream is not trusted to hand Portico expressions it runs.
 */
export function riskyPattern(schema: JsonSchemaObject): string | undefined {
  for (const pattern of patternsOf(schema)) if (!safePattern(pattern)) return pattern;
  return undefined;
}
