/** Assertion keywords of core's JSON Schema validator that look at one value only (no subschemas). */
import { canonicalJson } from "../util/encoding.ts";
import { equal, patternTest, type SchemaIssue, type SchemaObject, typeOf } from "./_util.ts";

function typeMatches(value: unknown, type: unknown): boolean {
  const actual = typeOf(value);
  return actual === type || (type === "number" && actual === "integer");
}

/** `type`; returns false (after one issue) when the value has none of the allowed types. */
export function checkType(s: SchemaObject, value: unknown, path: string, issues: SchemaIssue[]): boolean {
  if (s.type === undefined) return true;
  const types = Array.isArray(s.type) ? (s.type as unknown[]) : [s.type];
  if (types.some((t) => typeMatches(value, t))) return true;
  issues.push({ path, message: `Expected ${types.join(" or ")}, received ${typeOf(value)}` });
  return false;
}

/** Longest schema text (an `enum`'s values, a `const`) an issue's message quotes. */
const MAX_QUOTED_CHARS = 200;

/**
 * The message of a failed `enum` or `const`, made once per schema: a value failing it in ten
 * thousand places shares one string, and a long list is quoted cut (`…`).
 */
const valueMessages = new WeakMap<SchemaObject, { enum?: string; const?: string }>();

function valueMessage(s: SchemaObject, keyword: "enum" | "const"): string {
  let messages = valueMessages.get(s);
  if (messages === undefined) {
    messages = {};
    valueMessages.set(s, messages);
  }
  let message = messages[keyword];
  if (message === undefined) {
    const text = canonicalJson(s[keyword]);
    const quoted = text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
    message = keyword === "enum" ? `Expected one of ${quoted}` : `Expected ${quoted}`;
    messages[keyword] = message;
  }
  return message;
}

/** `enum`, `const`. */
export function checkValue(s: SchemaObject, value: unknown, path: string, issues: SchemaIssue[]): void {
  if (Array.isArray(s.enum) && !s.enum.some((e) => equal(e, value))) {
    issues.push({ path, message: valueMessage(s, "enum") });
  }
  if ("const" in s && !equal(s.const, value)) {
    issues.push({ path, message: valueMessage(s, "const") });
  }
}

/**
 * `minLength`, `maxLength` (in code points) and `pattern` (ECMA-262, unanchored). A string longer
 * than `maxLength` never reaches the pattern, so `maxLength` bounds its backtracking; a pattern
 * that does not compile matches nothing.
 */
export function checkString(s: SchemaObject, value: string, path: string, issues: SchemaIssue[]): void {
  if (typeof s.minLength === "number" || typeof s.maxLength === "number") {
    const length = [...value].length;
    if (typeof s.minLength === "number" && length < s.minLength) {
      issues.push({ path, message: `Expected at least ${s.minLength} characters` });
    }
    if (typeof s.maxLength === "number" && length > s.maxLength) {
      issues.push({ path, message: `Expected at most ${s.maxLength} characters` });
      return;
    }
  }
  if (typeof s.pattern === "string" && patternTest(s.pattern, value) !== true) {
    issues.push({ path, message: `Expected to match ${s.pattern}` });
  }
}

/**
 * Whether `value` is a whole multiple of `divisor`. Decimal divisors such as 0.01 are not exact in
 * binary, so the quotient is accepted when it is within a few ulps of an integer (the rounding
 * error of two decimal inputs and one division is below 2 ulps).
 */
export function isMultipleOf(value: number, divisor: number): boolean {
  // an integer divisor needs no tolerance: `%` is exact, and 1 + 2^-52 is no multiple of 1
  if (Number.isInteger(divisor)) return value % divisor === 0;
  const quotient = value / divisor;
  if (!Number.isFinite(quotient)) return false;
  return Math.abs(quotient - Math.round(quotient)) <= Math.abs(quotient) * 4 * Number.EPSILON;
}

/** `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`. */
export function checkNumber(s: SchemaObject, value: number, path: string, issues: SchemaIssue[]): void {
  if (typeof s.minimum === "number" && value < s.minimum) {
    issues.push({ path, message: `Expected >= ${s.minimum}` });
  }
  if (typeof s.maximum === "number" && value > s.maximum) {
    issues.push({ path, message: `Expected <= ${s.maximum}` });
  }
  if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) {
    issues.push({ path, message: `Expected > ${s.exclusiveMinimum}` });
  }
  if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) {
    issues.push({ path, message: `Expected < ${s.exclusiveMaximum}` });
  }
  if (typeof s.multipleOf === "number" && s.multipleOf > 0 && !isMultipleOf(value, s.multipleOf)) {
    issues.push({ path, message: `Expected a multiple of ${s.multipleOf}` });
  }
}
