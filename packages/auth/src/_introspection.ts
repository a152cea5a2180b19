/**
 * RFC 7662 token introspection for tokens that cannot be verified locally (opaque tokens): one POST
 * to the authorization server, authenticated with HTTP Basic (`client_secret_basic`). An answer is
 * cached per token (under its SHA-256, never the token itself) until the token's `exp`, optionally
 * capped; inactive answers for a minute. The cache is bounded (LRU) in answers (`cacheSize`) and
 * in bytes ({@link MAX_CACHE_BYTES} of answer text: an answer may be up to 512 KB). Concurrent uses
 * of a token not in the cache share one request (except on Workers, see `sharesInFlight`).
 */

import type { Claims } from "./_claims.ts";
import { type FetchLike, fetchText, parseJsonObject, sharesInFlight } from "./_http.ts";
import { ExpiringLru } from "./_lru.ts";
import { type AuthErrorReporter, AuthUnavailableError } from "./errors.ts";

/** How long a token without `exp`, or an inactive one, is remembered. */
const SHORT_CACHE_MS = 60_000;

/** Most answer text kept in the cache, in UTF-16 code units of the answers' JSON (about 16 MiB). */
export const MAX_CACHE_BYTES = 16 * 1024 * 1024;

/** An answer, with the length of the JSON text it was parsed from. */
interface Answer {
  claims: Claims;
  size: number;
}

export interface IntrospectorOptions {
  endpoint: string;
  clientId: string;
  clientSecret: string;
  cacheSize: number;
  /** Upper bound on how long an active answer is reused (revocation latency); default: until `exp`. */
  maxCacheMs: number;
  fetch: FetchLike;
  report: AuthErrorReporter;
  now: () => number;
  backoffMs: number;
  timeoutMs: number;
}

/** `application/x-www-form-urlencoded` of one value, as RFC 6749 §2.3.1 wants for Basic credentials. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, "+");
}

async function cacheKey(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export class Introspector {
  readonly #options: IntrospectorOptions;
  readonly #cache: ExpiringLru<Claims | null>;
  readonly #authorization: string;
  /** The request in flight per cache key: concurrent uses of one token share it. */
  readonly #pending = new Map<string, Promise<Claims | undefined>>();
  #failedUntil = Number.NEGATIVE_INFINITY;

  constructor(options: IntrospectorOptions) {
    this.#options = options;
    this.#cache = new ExpiringLru(options.cacheSize, MAX_CACHE_BYTES);
    this.#authorization = `Basic ${btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`)}`;
  }

  /**
   * The answer for an active token (its claims, which the caller still checks on every use: the
   * audience, issuer, lifetime), `undefined` for an inactive one.
   */
  async introspect(token: string): Promise<Claims | undefined> {
    const key = await cacheKey(token);
    const cached = this.#cache.get(key, this.#options.now());
    if (cached !== undefined) return cached.value ?? undefined;
    if (!sharesInFlight()) return this.#fetch(token, key);
    let pending = this.#pending.get(key);
    if (pending === undefined) {
      pending = this.#fetch(token, key).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    return pending;
  }

  /** Asks the endpoint about `token` and caches the answer under `key`. */
  async #fetch(token: string, key: string): Promise<Claims | undefined> {
    const { now, report, backoffMs } = this.#options;
    if (now() < this.#failedUntil) {
      throw new AuthUnavailableError(
        "introspection",
        "introspection endpoint unavailable (backing off)",
        (this.#failedUntil - now()) / 1000,
      );
    }
    let answer: Claims;
    let size: number;
    try {
      ({ claims: answer, size } = await this.#ask(token));
    } catch (error) {
      this.#failedUntil = now() + backoffMs;
      const unavailable = new AuthUnavailableError(
        "introspection",
        "token introspection failed",
        backoffMs / 1000,
        {
          cause: error,
        },
      );
      report(unavailable, "introspection");
      throw unavailable;
    }
    const at = now();
    if (answer.active !== true) {
      this.#cache.set(key, null, at + SHORT_CACHE_MS, 0);
      return undefined;
    }
    const expiresAt = typeof answer.exp === "number" ? answer.exp * 1000 : at + SHORT_CACHE_MS;
    this.#cache.set(key, answer, Math.min(expiresAt, at + this.#options.maxCacheMs), size);
    return answer;
  }

  async #ask(token: string): Promise<Answer> {
    const { endpoint, fetch, timeoutMs } = this.#options;
    const { status, body } = await fetchText(
      fetch,
      endpoint,
      {
        method: "POST",
        headers: {
          authorization: this.#authorization,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: `token=${formEncode(token)}&token_type_hint=access_token`,
      },
      timeoutMs,
    );
    // A 400 is about this request, so this token (RFC 7662 §2.3, RFC 6749 §5.2): the token is not
    // accepted, and one odd token must not make every caller wait out a back-off.
    if (status === 400) return { claims: { active: false }, size: 0 };
    if (status !== 200) throw new Error(`the introspection endpoint answered HTTP ${status}`);
    return { claims: parseJsonObject(body, "the introspection answer"), size: body.length };
  }
}
