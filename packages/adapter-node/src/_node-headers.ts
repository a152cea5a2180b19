import { LightHeaders } from "@portico/host";
import { delegateByName, inheritPlatform } from "./_delegate.ts";

/** Fetch's header-name rule; Node's parser has already enforced it for received headers. */
const lower = (name: string): string => name.toLowerCase();

type NodeHeaderValues = Record<string, string | string[] | undefined>;

/**
 * Fetch `Headers` over a Node request's headers, read without building a real `Headers`: `get`,
 * `has` and `getSetCookie` answer with the same folding as `requestHeaders()` (repeated fields
 * joined with ", ", `cookie` with "; ", `set-cookie` kept apart, HTTP/2 pseudo-headers skipped).
 * They read Node's own `req.headers` (which Node builds for every request anyway) unless a field
 * was repeated — Node keeps only the first of some fields — and then a map folded from the raw
 * list. Changes and iteration go to a real `Headers` copy made on demand, which then serves every
 * later call.
 */
export class NodeHeaders {
  readonly #raw: string[];
  readonly #node: NodeHeaderValues | undefined;
  #map: Map<string, string> | undefined;
  #setCookies: string[] | undefined;
  #real: LightHeaders | undefined;

  constructor(rawHeaders: string[], nodeHeaders?: NodeHeaderValues) {
    this.#raw = rawHeaders;
    // Every raw field has its own key: nothing was folded or dropped, Node's object is exact.
    if (nodeHeaders !== undefined && Object.keys(nodeHeaders).length * 2 === rawHeaders.length) {
      this.#node = nodeHeaders;
    }
  }

  get(name: string): string | null {
    if (this.#real !== undefined) return this.#real.get(name);
    const key = lower(name);
    if (this.#node !== undefined) {
      if (key.charCodeAt(0) === 58 /* ":" */) return null;
      const value = this.#node[key];
      if (typeof value === "string") return value;
      return Array.isArray(value) ? value.join(", ") : null;
    }
    return this.#folded().get(key) ?? null;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  getSetCookie(): string[] {
    if (this.#real !== undefined) return this.#real.getSetCookie();
    this.#folded();
    return this.#setCookies === undefined ? [] : [...this.#setCookies];
  }

  #folded(): Map<string, string> {
    if (this.#map !== undefined) return this.#map;
    const map = new Map<string, string>();
    const raw = this.#raw;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = lower(raw[i] as string);
      if (name.charCodeAt(0) === 58 /* ":" */) continue;
      const value = raw[i + 1] as string;
      if (name === "set-cookie") {
        this.#setCookies ??= [];
        this.#setCookies.push(value);
      }
      const previous = map.get(name);
      map.set(name, previous === undefined ? value : `${previous}${name === "cookie" ? "; " : ", "}${value}`);
    }
    this.#map = map;
    return map;
  }

  /**
   * The full `Headers` behind this one, for every member not implemented above: a `LightHeaders`
   * copy (the platform's `Headers` would load undici on Node), made on first need.
   */
  static realOf(headers: NodeHeaders): LightHeaders {
    if (headers.#real === undefined) {
      const real = new LightHeaders();
      for (const [name, value] of headers.#folded()) {
        if (name !== "set-cookie") real.set(name, value);
      }
      for (const cookie of headers.#setCookies ?? []) real.append("set-cookie", cookie);
      headers.#real = real;
    }
    return headers.#real;
  }
}

delegateByName(
  NodeHeaders,
  [],
  ["append", "delete", "set", "entries", "forEach", "keys", "values", Symbol.iterator],
  (self: NodeHeaders) => NodeHeaders.realOf(self),
);
Object.defineProperty(NodeHeaders.prototype, Symbol.toStringTag, { value: "Headers" });

/** Makes `NodeHeaders` pass `instanceof Headers` (loads undici: only for apps that need it). */
export function nodeHeadersInheritPlatform(): void {
  inheritPlatform(NodeHeaders, () => Headers);
}
