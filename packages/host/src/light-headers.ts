/**
 * A `Headers` made without the platform's: the members of the Fetch `Headers` interface over a plain
 * map of lower-case names. On Node the global `Headers` (like `Request` and `Response`) lives in
 * undici, and touching it loads all of undici — tens of milliseconds of a Lambda cold start. The
 * buffered request and response of this package show their headers through this class, so a
 * buffered exchange never loads it. Values of one name are joined with `, ` as `Headers` does
 * (`cookie` ones with `; `, as undici's); `set-cookie` values are kept apart for `getSetCookie()`. Names and values are checked as `Headers`
 * checks them (a `TypeError` for invalid ones).
 */

type HeadersInitLike = Record<string, string> | Iterable<readonly [string, string]> | LightHeaders;

/**
 * The iterators of the platform's `Headers` as the user's type library declares them
 * (`HeadersIterator` with `lib: ["DOM.Iterable"]`, undici's with only `@types/node`), or plain
 * iterable iterators where it declares none — so these types compile under any of them.
 */
type EntriesIterator = Headers extends { entries(): infer I } ? I : IterableIterator<[string, string]>;
type NamesIterator = Headers extends { keys(): infer I } ? I : IterableIterator<string>;

/** The punctuation of an HTTP token (RFC 9110 `tchar`), by character code; digits and letters aside. */
const TOKEN_PUNCTUATION = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN_PUNCTUATION[c.charCodeAt(0)] = 1;
/** NUL, CR, LF, and anything a byte string cannot hold (above U+00FF): `Headers` refuses them. */
const INVALID_VALUE = /[\0\r\n\u0100-\uffff]/;
const OUTER_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * A header name checked as an HTTP token and lower-cased. A loop over the characters, not a
 * regular expression: names are looked up on every request, mostly already in lower case.
 */
function name(raw: string): string {
  const text = typeof raw === "string" ? raw : String(raw);
  let lower = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) continue;
    if (c >= 65 && c <= 90) lower = false;
    else if (c >= 128 || TOKEN_PUNCTUATION[c] !== 1) return invalidName(text);
  }
  if (text.length === 0) return invalidName(text);
  return lower ? text : text.toLowerCase();
}

function invalidName(text: string): never {
  throw new TypeError(`Headers: invalid header name ${JSON.stringify(text)}`);
}

const isWhitespace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;

/** A header value without its outer whitespace; a `TypeError` for NUL, CR, LF or a non-byte inside it. */
function value(raw: string): string {
  let text = typeof raw === "string" ? raw : String(raw);
  const last = text.length - 1;
  if (last >= 0 && (isWhitespace(text.charCodeAt(0)) || isWhitespace(text.charCodeAt(last)))) {
    text = text.replace(OUTER_WHITESPACE, "");
  }
  if (INVALID_VALUE.test(text)) throw new TypeError(`Headers: invalid header value ${JSON.stringify(text)}`);
  return text;
}

export class LightHeaders implements Headers {
  readonly #map = new Map<string, string>();
  readonly #cookies: string[] = [];

  constructor(init?: HeadersInitLike) {
    if (init === undefined) return;
    if (init instanceof LightHeaders) {
      for (const [k, v] of init.#map) this.#map.set(k, v);
      this.#cookies.push(...init.#cookies);
    } else if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError(`Headers: a pair has ${pair.length} items, not 2`);
        this.append(pair[0], pair[1]);
      }
    } else {
      for (const k of Object.keys(init)) this.append(k, (init as Record<string, string>)[k] as string);
    }
  }

  append(key: string, raw: string): void {
    const k = name(key);
    const v = value(raw);
    if (k === "set-cookie") this.#cookies.push(v);
    const had = this.#map.get(k);
    // Cookie pairs are separated by "; " (RFC 6265 §4.2.1), as undici's `Headers` joins them.
    this.#map.set(k, had === undefined ? v : `${had}${k === "cookie" ? "; " : ", "}${v}`);
  }

  set(key: string, raw: string): void {
    const k = name(key);
    const v = value(raw);
    if (k === "set-cookie") this.#cookies.splice(0, this.#cookies.length, v);
    this.#map.set(k, v);
  }

  delete(key: string): void {
    const k = name(key);
    if (k === "set-cookie") this.#cookies.length = 0;
    this.#map.delete(k);
  }

  get(key: string): string | null {
    return this.#map.get(name(key)) ?? null;
  }

  has(key: string): boolean {
    return this.#map.has(name(key));
  }

  getSetCookie(): string[] {
    return [...this.#cookies];
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  /** Pairs sorted by name, `set-cookie` once per cookie — the order `Headers` iterates in. */
  *entries(): EntriesIterator {
    for (const k of [...this.#map.keys()].sort()) {
      if (k === "set-cookie") for (const cookie of this.#cookies) yield [k, cookie];
      else yield [k, this.#map.get(k) as string];
    }
  }

  *keys(): NamesIterator {
    for (const [k] of this.entries()) yield k;
  }

  *values(): NamesIterator {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): EntriesIterator {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "Headers";
  }

  /** The headers as a plain record of lower-case names (`set-cookie` values joined with `, `). */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.#map);
  }
}
