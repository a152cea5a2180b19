/**
 * A JSON Web Key Set fetched from a URL and kept across requests (a warm Lambda, a Workers isolate):
 * fetched on first use, refetched after `maxAgeMs`, and refetched early when a token names a key it
 * does not hold (key rotation) — but at most once per `cooldownMs`, so a flood of made-up `kid`s
 * costs one fetch, not one per request. A failed fetch is reported once and blocks new attempts for
 * `backoffMs` (callers get 503 + Retry-After meanwhile); stale keys keep serving when a refresh fails.
 */
import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
} from "jose";
import { type FetchLike, fetchText, parseJsonObject, sharesInFlight } from "./_http.ts";
import { type AuthErrorReporter, type AuthErrorSource, AuthUnavailableError } from "./errors.ts";

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

/** Key types that verify signatures with a public key; `oct` (shared secrets) never come from a JWKS. */
const PUBLIC_KEY_TYPES = new Set(["RSA", "EC", "OKP", "AKP"]);
/** Private members a careless publisher might leave in a JWKS; dropped so only public keys remain. */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"];

/** A key set reduced to its asymmetric public keys, as a jose local key set. Throws if malformed. */
export function publicKeySet(jwks: unknown): LocalKeySet {
  if (typeof jwks !== "object" || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new TypeError("a JSON Web Key Set must be an object with a `keys` array");
  }
  const keys: JWK[] = [];
  for (const key of (jwks as { keys: unknown[] }).keys) {
    if (typeof key !== "object" || key === null || Array.isArray(key)) continue;
    const { kty } = key as { kty?: unknown };
    if (typeof kty !== "string" || !PUBLIC_KEY_TYPES.has(kty)) continue;
    const copy: Record<string, unknown> = { ...(key as Record<string, unknown>) };
    for (const member of PRIVATE_MEMBERS) delete copy[member];
    keys.push(copy as JWK);
  }
  return createLocalJWKSet({ keys } as JSONWebKeySet);
}

export interface RemoteKeySetOptions {
  /** Reported as `where` when a fetch fails. */
  source: AuthErrorSource;
  /** The key set's URL (a function: resolved at the first fetch, e.g. from discovery). */
  url: string | (() => Promise<string>);
  fetch: FetchLike;
  report: AuthErrorReporter;
  now: () => number;
  maxAgeMs: number;
  cooldownMs: number;
  backoffMs: number;
  timeoutMs: number;
}

export class RemoteKeySet {
  readonly #options: RemoteKeySetOptions;
  #keys: LocalKeySet | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #attemptedAt = Number.NEGATIVE_INFINITY;
  #failedUntil = Number.NEGATIVE_INFINITY;
  #pending: Promise<LocalKeySet> | undefined;

  constructor(options: RemoteKeySetOptions) {
    this.#options = options;
  }

  /** A jose key resolver: the key for a token's header, fetching or refreshing the set as needed. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    const { now, maxAgeMs, cooldownMs } = this.#options;
    let keys = this.#keys;
    if (keys === undefined || now() - this.#fetchedAt >= maxAgeMs) {
      try {
        keys = await this.#reload();
      } catch (error) {
        if (this.#keys === undefined) throw error;
        keys = this.#keys; // a failed refresh: the stale keys still verify (the failure was reported)
      }
    }
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      // An unknown key: rotation, or a made-up `kid`. Refetch only outside the cooldown.
      if (this.#pending !== undefined && sharesInFlight()) keys = await this.#pending;
      else if (now() - this.#attemptedAt < cooldownMs) throw error;
      else keys = await this.#reload();
      return await keys(header, token);
    }
  };

  #reload(): Promise<LocalKeySet> {
    if (this.#pending !== undefined && sharesInFlight()) return this.#pending;
    const { now, source, report, backoffMs } = this.#options;
    if (now() < this.#failedUntil) {
      return Promise.reject(
        new AuthUnavailableError(
          source,
          "key set unavailable (backing off)",
          (this.#failedUntil - now()) / 1000,
        ),
      );
    }
    this.#attemptedAt = now();
    const attempt = this.#load().then(
      (keys) => {
        this.#keys = keys;
        this.#fetchedAt = now();
        return keys;
      },
      (error: unknown) => {
        if (error instanceof AuthUnavailableError) {
          // Already reported by the step that failed (e.g. discovery); just honour its delay.
          this.#failedUntil = now() + error.retryAfterSeconds * 1000;
          throw error;
        }
        this.#failedUntil = now() + backoffMs;
        const unavailable = new AuthUnavailableError(
          source,
          "could not fetch the key set",
          backoffMs / 1000,
          {
            cause: error,
          },
        );
        report(unavailable, source);
        throw unavailable;
      },
    );
    const pending = attempt.finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
    this.#pending = pending;
    return pending;
  }

  async #load(): Promise<LocalKeySet> {
    const { url, fetch, timeoutMs } = this.#options;
    const href = typeof url === "string" ? url : await url();
    const { status, body } = await fetchText(
      fetch,
      href,
      { method: "GET", headers: { accept: "application/jwk-set+json, application/json" } },
      timeoutMs,
    );
    if (status !== 200) throw new Error(`${href} answered HTTP ${status}`);
    return publicKeySet(parseJsonObject(body, `the key set at ${href}`));
  }
}
