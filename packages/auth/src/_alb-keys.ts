/**
 * ALB's public keys: one PEM per `kid`, at `https://public-keys.auth.elb.<region>.amazonaws.com/<kid>`
 * (`.amazonaws.com.cn` in the China regions). A key never changes once published, so each is kept
 * (bounded LRU). A key the endpoint does not have (4xx but 408/429) is a bad token, and is remembered for a
 * while, so a repeated made-up `kid` costs nothing. Fetches of keys not held are limited (a flood of
 * made-up `kid`s cannot turn into a flood of requests to AWS); when that budget is spent, an unknown
 * `kid` gets 503 with `Retry-After` until it refills, never 401: it may be a real user's new key
 * (cold start, key rotation), and their client should retry rather than drop the token. A 5xx, a
 * 408 or 429, or a network failure is the endpoint being down (503 too).
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
/** `kid`s the endpoint answered 4xx for: no new fetch for them meanwhile. */
const UNKNOWN_KEPT = 1_000;
const UNKNOWN_FOR_MS = 10 * 60_000;
/** 4xx answers that say nothing about the key (timeout, throttling): the endpoint failing, not a bad `kid`. */
const TRANSIENT = new Set([408, 429]);

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
  readonly #unknown = new ExpiringLru<true>(UNKNOWN_KEPT);
  readonly #pending = new Map<string, Promise<CryptoKey | undefined>>();
  #windowStart = Number.NEGATIVE_INFINITY;
  #missesInWindow = 0;
  #budgetReported = false;
  #failedUntil = Number.NEGATIVE_INFINITY;

  constructor(options: AlbKeysOptions) {
    this.#options = options;
  }

  /**
   * The key for `kid`, `undefined` if the endpoint does not have it. Throws
   * {@link AuthUnavailableError} (503) while the endpoint is failing, or when the key would have to
   * be fetched and this window's budget of fetches is spent.
   */
  async get(kid: string): Promise<CryptoKey | undefined> {
    const now = Date.now();
    const cached = this.#keys.get(kid, now);
    if (cached !== undefined) return cached.value;
    if (this.#unknown.get(kid, now) !== undefined) return undefined;
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
      this.#budgetReported = false;
    }
    if (this.#missesInWindow >= MISS_BUDGET) throw this.#budgetSpent(now);
    this.#missesInWindow++;
    const attempt = this.#fetch(kid).finally(() => this.#pending.delete(kid));
    this.#pending.set(kid, attempt);
    return attempt;
  }

  /** The 503 for a `kid` that cannot be fetched before the window ends; reported once a window. */
  #budgetSpent(now: number): AuthUnavailableError {
    const error = new AuthUnavailableError(
      "keys",
      "the budget of ALB key fetches is spent: tokens naming a kid not yet held get 503 until it refills",
      (this.#windowStart + MISS_WINDOW_MS - now) / 1000,
      { cause: new Error(`${MISS_BUDGET} fetches of unknown kids this minute (forged tokens?)`) },
    );
    if (!this.#budgetReported) {
      this.#budgetReported = true;
      this.#options.report(error, "keys");
    }
    return error;
  }

  async #fetch(kid: string): Promise<CryptoKey | undefined> {
    const { keyUrl, fetch, timeoutMs, report } = this.#options;
    let key: CryptoKey;
    try {
      const { status, body } = await fetchText(fetch, keyUrl(kid), { method: "GET" }, timeoutMs);
      if (status >= 400 && status < 500 && !TRANSIENT.has(status)) {
        this.#unknown.set(kid, true, Date.now() + UNKNOWN_FOR_MS);
        return undefined;
      }
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
