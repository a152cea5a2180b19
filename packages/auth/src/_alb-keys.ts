/**
 * ALB's public keys: one PEM per `kid`, at `https://public-keys.auth.elb.<region>.amazonaws.com/<kid>`
 * (`.amazonaws.com.cn` in the China regions). A key never changes once published, so each is kept
 * (bounded LRU). A key the endpoint does not have (4xx) is a bad token, and such misses are limited
 * (a flood of made-up `kid`s cannot turn into a flood of requests to AWS); a 5xx or a network
 * failure is the endpoint being down (503).
 */
import { importSPKI } from "jose";
import { type FetchLike, fetchText, sharesInFlight } from "./_http.ts";
import { ExpiringLru } from "./_lru.ts";
import { type AuthErrorReporter, AuthUnavailableError } from "./errors.ts";

const KEYS_KEPT = 100;
/** At most this many fetches of keys not yet held per window. */
const MISS_BUDGET = 10;
const MISS_WINDOW_MS = 60_000;
const BACKOFF_MS = 5_000;

/** What a `kid` may look like before it is put in a URL (ALB's are UUIDs). */
export const KID = /^[A-Za-z0-9_-]{1,128}$/;

export interface AlbKeysOptions {
  keyUrl: (kid: string) => string;
  fetch: FetchLike;
  report: AuthErrorReporter;
  timeoutMs: number;
}

export class AlbKeys {
  readonly #options: AlbKeysOptions;
  readonly #keys = new ExpiringLru<CryptoKey>(KEYS_KEPT);
  readonly #pending = new Map<string, Promise<CryptoKey | undefined>>();
  #windowStart = Number.NEGATIVE_INFINITY;
  #missesInWindow = 0;
  #failedUntil = Number.NEGATIVE_INFINITY;

  constructor(options: AlbKeysOptions) {
    this.#options = options;
  }

  /** The key for `kid`, `undefined` if there is none (or the miss budget is spent). */
  async get(kid: string): Promise<CryptoKey | undefined> {
    const now = Date.now();
    const cached = this.#keys.get(kid, now);
    if (cached !== undefined) return cached.value;
    const pending = this.#pending.get(kid);
    if (pending !== undefined && sharesInFlight()) return pending;
    if (now < this.#failedUntil) {
      throw new AuthUnavailableError(
        "keys",
        "ALB key endpoint unavailable (backing off)",
        (this.#failedUntil - now) / 1000,
      );
    }
    if (now - this.#windowStart >= MISS_WINDOW_MS) {
      this.#windowStart = now;
      this.#missesInWindow = 0;
    }
    if (this.#missesInWindow >= MISS_BUDGET) return undefined;
    this.#missesInWindow++;
    const attempt = this.#fetch(kid).finally(() => this.#pending.delete(kid));
    this.#pending.set(kid, attempt);
    return attempt;
  }

  async #fetch(kid: string): Promise<CryptoKey | undefined> {
    const { keyUrl, fetch, timeoutMs, report } = this.#options;
    let key: CryptoKey;
    try {
      const { status, body } = await fetchText(fetch, keyUrl(kid), { method: "GET" }, timeoutMs);
      if (status >= 400 && status < 500) return undefined;
      if (status !== 200) throw new Error(`the ALB key endpoint answered HTTP ${status}`);
      key = await importSPKI(body.trim(), "ES256");
    } catch (error) {
      this.#failedUntil = Date.now() + BACKOFF_MS;
      const unavailable = new AuthUnavailableError(
        "keys",
        "could not fetch an ALB public key",
        BACKOFF_MS / 1000,
        {
          cause: error,
        },
      );
      report(unavailable, "keys");
      throw unavailable;
    }
    this.#keys.set(kid, key, Number.POSITIVE_INFINITY);
    return key;
  }
}
