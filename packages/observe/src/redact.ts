/**
 * Redaction of log fields: credentials never reach a log line. Keys that always hold secrets
 * (authorization, cookies, tokens, passwords, secrets, MRTR `requestState`) are replaced wherever
 * they appear; a `Bearer …` value anywhere loses its token; configured names (`"ssn"`: that key
 * at any depth) and paths (`"arguments.card.number"`: from the line's root) are replaced too.
 * Values are copied, never changed in place; depth and string length are bounded.
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
/** Keys seen so far and whether they are secret (keys repeat line after line; bounded). */
const MEMO_LIMIT = 4096;
const MAX_DEPTH = 8;
const MAX_STRING = 4096;

export type Redactor = (fields: Record<string, unknown>) => Record<string, unknown>;

/** A redactor for the always-secret keys plus `extra` names and dotted paths. */
export function redactor(extra: readonly string[] = []): Redactor {
  const names = new Set([...ALWAYS, ...extra.filter((e) => !e.includes(".")).map(normal)]);
  const paths = new Set(extra.filter((e) => e.includes(".")));
  const seen = new Map<string, boolean>();
  const secretKey = (key: string): boolean => {
    let secret = seen.get(key);
    if (secret === undefined) {
      secret = names.has(normal(key));
      if (seen.size >= MEMO_LIMIT) seen.clear();
      seen.set(key, secret);
    }
    return secret;
  };
  const value = (input: unknown, path: string, depth: number): unknown => {
    if (typeof input === "string") {
      const text = input.length > MAX_STRING ? `${input.slice(0, MAX_STRING)}…` : input;
      if (!HAS_CREDENTIAL.test(text)) return text;
      return text.replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`);
    }
    if (input instanceof Error) {
      const error: Record<string, unknown> = { name: input.name, message: input.message };
      if (input.stack !== undefined) error.stack = input.stack;
      const code = (input as { code?: unknown }).code;
      if (code !== undefined) error.code = code;
      return value(error, path, depth);
    }
    if (typeof input !== "object" || input === null) return input;
    if (depth >= MAX_DEPTH) return "[too deep]";
    if (Array.isArray(input)) return input.map((item) => value(item, path, depth + 1));
    const out: Record<string, unknown> = {};
    const record = input as Record<string, unknown>;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      const item = record[key];
      if (paths.size === 0) {
        // The common case: no configured paths, so no path strings to build.
        out[key] = secretKey(key)
          ? REDACTED
          : typeof item === "object" || typeof item === "string"
            ? value(item, "", depth + 1)
            : item;
        continue;
      }
      const at = path === "" ? key : `${path}.${key}`;
      out[key] = secretKey(key) || paths.has(at) ? REDACTED : value(item, at, depth + 1);
    }
    return out;
  };
  return (fields) => value(fields, "", 0) as Record<string, unknown>;
}
