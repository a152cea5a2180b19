/**
 * A `Headers` made without the platform's: the members of the Fetch `Headers` interface over a plain
 * map of lower-case names. On Node the global `Headers` (like `Request` and `Response`) lives in
 * undici, and touching it loads all of undici — tens of milliseconds of a Lambda cold start. The
 * buffered request and response of this package show their headers through this class, so a
 * buffered exchange never loads it. Values of one name are joined with `, ` as `Headers` does
 * (`cookie` ones with `; `, as undici's); `set-cookie` values are kept apart for `getSetCookie()`. Names and values are checked as `Headers`
 * checks them (a `TypeError` for invalid ones).
 *
 * When a buffered request or response turns into a real one, the real one's `Headers` is made from
 * these, and from then on these are a view of it ({@link linkHeaders}): every member reads and
 * changes the real `Headers`, so a reference taken before keeps working and both objects always
 * show the same headers.
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

/** Set by the class's static block: it alone can reach the private fields. */
let link: (light: LightHeaders, real: Headers) => void;

/**
 * For the buffered request and response (not exported by the package): makes `light` a view of
 * `real`, the `Headers` of the real object it turned into, made from it. Its own map is dropped.
 */
export function linkHeaders(light: LightHeaders, real: Headers): void {
  link(light, real);
}

export class LightHeaders implements Headers {
  readonly #map = new Map<string, string>();
  readonly #cookies: string[] = [];
  /** Counts changes, so that an iteration in progress sees them as `Headers`' does. */
  #changes = 0;
  /** The real `Headers` these became a view of, if any ({@link linkHeaders}). */
  #real: Headers | undefined;

  static {
    link = (light, real) => {
      light.#real = real;
      light.#map.clear();
      light.#cookies.length = 0;
      light.#changes++;
    };
  }

  constructor(init?: HeadersInitLike) {
    if (init === undefined) return;
    if (init instanceof LightHeaders && init.#real === undefined) {
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
    if (this.#real !== undefined) {
      this.#real.append(key, raw);
      return;
    }
    const k = name(key);
    const v = value(raw);
    if (k === "set-cookie") this.#cookies.push(v);
    const had = this.#map.get(k);
    // Cookie pairs are separated by "; " (RFC 6265 §4.2.1), as undici's `Headers` joins them.
    this.#map.set(k, had === undefined ? v : `${had}${k === "cookie" ? "; " : ", "}${v}`);
    this.#changes++;
  }

  set(key: string, raw: string): void {
    if (this.#real !== undefined) {
      this.#real.set(key, raw);
      return;
    }
    const k = name(key);
    const v = value(raw);
    if (k === "set-cookie") this.#cookies.splice(0, this.#cookies.length, v);
    this.#map.set(k, v);
    this.#changes++;
  }

  delete(key: string): void {
    if (this.#real !== undefined) {
      this.#real.delete(key);
      return;
    }
    const k = name(key);
    if (k === "set-cookie") this.#cookies.length = 0;
    this.#map.delete(k);
    this.#changes++;
  }

  get(key: string): string | null {
    if (this.#real !== undefined) return this.#real.get(key);
    return this.#map.get(name(key)) ?? null;
  }

  has(key: string): boolean {
    if (this.#real !== undefined) return this.#real.has(key);
    return this.#map.has(name(key));
  }

  getSetCookie(): string[] {
    if (this.#real !== undefined) return this.#real.getSetCookie();
    return [...this.#cookies];
  }

  forEach(callback: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }

  /**
   * Pairs sorted by name, `set-cookie` once per cookie — the order `Headers` iterates in. As with
   * `Headers`, a change made while iterating is seen from the next pair on: the pairs are listed
   * afresh and iteration goes on at the same index (a deleted name is not met).
   */
  *entries(): EntriesIterator {
    let changes = -1;
    let pairs: [string, string][] = [];
    for (let i = 0; ; i++) {
      if (this.#real !== undefined) {
        // Linked (before, or meanwhile): the real `Headers`' own iterator goes on from the same index.
        const rest = this.#real.entries();
        for (let skip = 0; skip < i; skip++) rest.next();
        yield* rest;
        return;
      }
      if (changes !== this.#changes) {
        changes = this.#changes;
        pairs = this.#pairs();
      }
      const pair = pairs[i];
      if (pair === undefined) return;
      yield pair;
    }
  }

  /** The pairs as {@link entries} yields them, listed now. */
  #pairs(): [string, string][] {
    const pairs: [string, string][] = [];
    for (const k of [...this.#map.keys()].sort()) {
      if (k === "set-cookie") for (const cookie of this.#cookies) pairs.push([k, cookie]);
      else pairs.push([k, this.#map.get(k) as string]);
    }
    return pairs;
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
    const real = this.#real;
    if (real === undefined) return Object.fromEntries(this.#map);
    const record: Record<string, string> = {};
    for (const k of real.keys()) record[k] = real.get(k) as string;
    return record;
  }
}
