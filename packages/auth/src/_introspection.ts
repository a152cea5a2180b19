/**
 * RFC 7662 token introspection for tokens that cannot be verified locally (opaque tokens): one POST
 * to the authorization server, authenticated with HTTP Basic (`client_secret_basic`). An answer is
 * cached per token (under its SHA-256, never the token itself) until the token's `exp`, optionally
 * capped; inactive answers for a minute. The cache is bounded (LRU) in answers (`cacheSize`) and
 * in bytes ({@link MAX_CACHE_BYTES} of answer text: an answer may be up to 512 KB). Concurrent uses
 * of a token not in the cache share one request (except on Workers, see `sharesInFlight`). A failure
 * backs off every token, or only the one sent, as {@link IntrospectionBackoff} decides.
 */

import type { Claims } from "./_claims.ts";
import {
  type Fetched,
  type FetchLike,
  type FetchWatch,
  fetchText,
  parseJsonObject,
  sharesInFlight,
} from "./_http.ts";
import { IntrospectionBackoff, IntrospectionFailure, statusScope } from "./_introspection-backoff.ts";
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
  /** Most answers cached, and most tokens whose failure is remembered. */
  cacheSize: number;
  /** Upper bound on how long an active answer is reused (revocation latency); default: until `exp`. */
  maxCacheMs: number;
  fetch: FetchLike;
  report: AuthErrorReporter;
  now: () => number;
  /** How long a failure holds back every token, or the one that failed. */
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
  readonly #backoff: IntrospectionBackoff;

  constructor(options: IntrospectorOptions) {
    this.#options = options;
    this.#cache = new ExpiringLru(options.cacheSize, MAX_CACHE_BYTES);
    this.#backoff = new IntrospectionBackoff(options.backoffMs, options.cacheSize);
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
    this.#backoff.check(key, now());
    let answer: Claims;
    let size: number;
    try {
      ({ claims: answer, size } = await this.#ask(token));
    } catch (error) {
      // Anything #ask did not classify is taken as the endpoint's failure, as before.
      this.#backoff.failed(key, error instanceof IntrospectionFailure ? error.scope : "endpoint", now());
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
    this.#backoff.succeeded();
    const at = now();
    if (answer.active !== true) {
      this.#cache.set(key, null, at + SHORT_CACHE_MS, 0);
      return undefined;
    }
    const expiresAt = typeof answer.exp === "number" ? answer.exp * 1000 : at + SHORT_CACHE_MS;
    this.#cache.set(key, answer, Math.min(expiresAt, at + this.#options.maxCacheMs), size);
    return answer;
  }

  /**
   * One POST about `token`. A failure is an {@link IntrospectionFailure} saying whose it is: no
   * answer at all (the network, the timeout) is the endpoint's, as are the statuses that say it is
   * down or refusing us; any other status, or a body that cannot be read (too large) or is not a
   * JSON object, may be about this token.
   */
  async #ask(token: string): Promise<Answer> {
    const { endpoint, fetch, timeoutMs } = this.#options;
    // Watched to tell, when fetchText throws, whether the endpoint answered at all and in time.
    const watch: FetchWatch = {};
    let fetched: Fetched;
    try {
      fetched = await fetchText(
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
        watch,
      );
    } catch (error) {
      const { answered } = watch;
      // No answer, or none in time: the endpoint is unreachable or too slow, whatever the token.
      if (answered === undefined || watch.signal?.aborted === true) {
        throw new IntrospectionFailure(
          "the introspection endpoint could not be reached in time",
          "endpoint",
          {
            cause: error,
          },
        );
      }
      // An answer came but its body could not be read in full (too large, or cut off): as its status says.
      throw new IntrospectionFailure(
        `the introspection endpoint's answer (HTTP ${answered}) could not be read`,
        statusScope(answered),
        { cause: error },
      );
    }
    const { status, body } = fetched;
    // A 400 is about this request, so this token (RFC 7662 §2.3, RFC 6749 §5.2): the token is not
    // accepted, and one odd token must not make every caller wait out a back-off.
    if (status === 400) return { claims: { active: false }, size: 0 };
    if (status !== 200) {
      throw new IntrospectionFailure(
        `the introspection endpoint answered HTTP ${status}`,
        statusScope(status),
      );
    }
    try {
      return { claims: parseJsonObject(body, "the introspection answer"), size: body.length };
    } catch (error) {
      throw new IntrospectionFailure("the introspection answer is not a JSON object", "token", {
        cause: error,
      });
    }
  }
}
