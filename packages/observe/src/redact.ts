/**
 * Redaction of log fields: credentials never reach a log line. Keys that always hold secrets
 * (authorization, cookies, tokens, passwords, secrets, MRTR `requestState`) are replaced wherever
 * they appear; a `Bearer …` value anywhere loses its token; configured names (`"ssn"`: that key
 * at any depth) and paths (`"arguments.card.number"`: from the line's root) are replaced too.
 * Values are copied, never changed in place (a flat line with nothing to redact is given back as it
 * is), as `JSON.stringify` would write them (an `Error` as its
 * name, message, stack, code and cause; `toJSON` applied; a BigInt as its digits); depth, string
 * and key length, items per array and fields per object (100 each, the rest counted) and the text of
 * one line (64 K characters, then `[cut]`) are bounded, a cycle is cut (`[circular]`) and a field
 * that throws when read is `[unreadable]`: redacting never throws.
 */

export const REDACTED = "[redacted]";

/** Keys redacted wherever they appear (compared without case, `-` and `_`). */
const ALWAYS = [
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "token",
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "password",
  "passwd",
  "secret",
  "clientsecret",
  "apikey",
  "xapikey",
  "requeststate",
];

const normal = (key: string) => key.toLowerCase().replace(/[-_]/g, "");
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const HAS_CREDENTIAL = /(?:bearer|basic)\s/i;
/** Keys seen so far and what they are (keys repeat line after line; bounded). */
const MEMO_LIMIT = 4096;
/** A key written as it is; one whose value is redacted; one written cut or redacted itself. */
const PLAIN = 0;
const SECRET = 1;
const REWRITTEN = 2;
type KeyKind = typeof PLAIN | typeof SECRET | typeof REWRITTEN;
const MAX_DEPTH = 8;
const MAX_STRING = 4096;
/** Longest key kept whole (longer ones are cut, as strings are). */
const MAX_KEY = 256;
/** Most items of one array, and most fields of one object, copied into a line (the rest are counted). */
const MAX_ITEMS = 100;
/**
 * Characters of text (strings and keys) one redaction copies; beyond, strings and objects become
 * `[cut]`. With the limits above it keeps a line far below CloudWatch Logs' largest event (256 KB).
 */
const MAX_TEXT = 64 * 1024;
const CIRCULAR = "[circular]";
const UNREADABLE = "[unreadable]";
const CUT = "[cut]";

export type Redactor = (fields: Record<string, unknown>) => Record<string, unknown>;

/** `text` cut to 4096 characters, each `Bearer …`/`Basic …` credential in it replaced. */
export function redactText(input: string): string {
  const text = input.length > MAX_STRING ? `${input.slice(0, MAX_STRING)}…` : input;
  if (!HAS_CREDENTIAL.test(text)) return text;
  return text.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

/** A redactor for the always-secret keys plus `extra` names and dotted paths. */
export function redactor(extra: readonly string[] = []): Redactor {
  const names = new Set([...ALWAYS, ...extra.filter((e) => !e.includes(".")).map(normal)]);
  const paths = new Set(extra.filter((e) => e.includes(".")));
  const seen = new Map<string, KeyKind>();
  /** What `key` is, looked up once per distinct key (a key over MAX_KEY is never kept). */
  const kindOf = (key: string): KeyKind => {
    if (key.length > MAX_KEY) return REWRITTEN;
    let kind = seen.get(key);
    if (kind === undefined) {
      kind = names.has(normal(key)) ? SECRET : HAS_CREDENTIAL.test(key) ? REWRITTEN : PLAIN;
      if (seen.size >= MEMO_LIMIT) seen.clear();
      seen.set(key, kind);
    }
    return kind;
  };
  const secretKey = (key: string): boolean => kindOf(key) === SECRET;
  /** The objects on the path being copied, by depth (a cycle leads back to one of them). */
  const ancestors: unknown[] = new Array(MAX_DEPTH).fill(undefined);
  /** Text left for this redaction (see MAX_TEXT). */
  let budget = MAX_TEXT;
  const text = (input: string): string => {
    if (budget <= 0) return CUT;
    const out = redactText(input);
    budget -= out.length;
    return out;
  };
  /** A key as written: cut, and a credential in it redacted (a key is text the client may choose). */
  const keyOf = (key: string): string => {
    const out = kindOf(key) === REWRITTEN ? redactText(key.slice(0, MAX_KEY)) : key;
    budget -= out.length;
    return out;
  };
  const value = (input: unknown, path: string, depth: number): unknown => {
    if (typeof input === "string") return text(input);
    if (typeof input === "bigint") return input.toString(); // JSON.stringify would throw
    if (typeof input !== "object" || input === null) return input;
    if (budget <= 0) return CUT;
    if (depth >= MAX_DEPTH) return "[too deep]";
    for (let i = 0; i < depth; i++) if (ancestors[i] === input) return CIRCULAR;
    ancestors[depth] = input;
    try {
      return object(input, path, depth);
    } finally {
      ancestors[depth] = undefined; // not kept alive after the line
    }
  };
  const object = (input: object, path: string, depth: number): unknown => {
    if (input instanceof Error) {
      const error: Record<string, unknown> = { name: input.name, message: input.message };
      if (input.stack !== undefined) error.stack = input.stack;
      const { code, cause } = input as { code?: unknown; cause?: unknown };
      if (code !== undefined) error.code = code;
      if (cause !== undefined) error.cause = cause;
      return copy(error, path, depth);
    }
    // A Date, a URL, …: what JSON.stringify would write.
    const toJSON = (input as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return value(toJSON.call(input, ""), path, depth + 1);
    if (Array.isArray(input)) {
      const items = input.slice(0, MAX_ITEMS).map((item) => value(item, path, depth + 1));
      if (input.length > MAX_ITEMS) items.push(`[${input.length - MAX_ITEMS} more]`);
      return items;
    }
    return copy(input as Record<string, unknown>, path, depth);
  };
  /** A copy of an object's own fields, each redacted (one that throws when read is "[unreadable]"). */
  const copy = (record: Record<string, unknown>, path: string, depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    let fields = 0;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      if (++fields > MAX_ITEMS) continue; // counted below
      const name = keyOf(key);
      try {
        if (paths.size === 0) {
          // The common case: no configured paths, so no path strings to build.
          if (secretKey(key)) out[name] = REDACTED;
          else {
            const item = record[key];
            out[name] =
              typeof item === "number" || typeof item === "boolean" ? item : value(item, "", depth + 1);
          }
          continue;
        }
        const at = path === "" ? key : `${path}.${key}`;
        out[name] = secretKey(key) || paths.has(at) ? REDACTED : value(record[key], at, depth + 1);
      } catch {
        out[name] = UNREADABLE;
      }
    }
    if (fields > MAX_ITEMS) out["[more fields]"] = fields - MAX_ITEMS;
    return out;
  };
  /**
   * The common line — strings, numbers and booleans only, no configured paths — checked in one loop
   * without the general walk's bookkeeping, and copied only where something is redacted (a caller
   * never changes what it gets: an unchanged record comes back as it is). `undefined` for anything
   * else: then the walk copies it.
   */
  const flat = (record: Record<string, unknown>): Record<string, unknown> | undefined => {
    if (paths.size > 0) return undefined;
    let out: Record<string, unknown> | undefined;
    let fields = 0;
    let chars = 0;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      // Many fields, long keys or much text: the walk bounds them.
      chars += key.length;
      const kind = kindOf(key);
      if (++fields > MAX_ITEMS || kind === REWRITTEN) return undefined;
      const item = record[key];
      let redacted: unknown;
      if (typeof item === "string") {
        chars += Math.min(item.length, MAX_STRING);
        if (chars > MAX_TEXT) return undefined;
        redacted = kind === SECRET ? REDACTED : redactText(item);
      } else if (typeof item === "number" || typeof item === "boolean" || item === undefined)
        redacted = kind === SECRET ? REDACTED : item;
      else return undefined;
      if (redacted === item) continue;
      out ??= { ...record };
      out[key] = redacted;
    }
    return out ?? record;
  };
  return (fields) => {
    try {
      const simple = flat(fields);
      if (simple !== undefined) return simple;
    } catch {
      // A field that throws when read: the walk below marks it.
    }
    budget = MAX_TEXT;
    try {
      return value(fields, "", 0) as Record<string, unknown>;
    } catch {
      return {}; // fields that cannot even be listed (a throwing proxy): the line is still written
    }
  };
}
