/**
 * Whom a failed introspection holds back, so that one token cannot make every caller wait.
 *
 * A failure that says the endpoint is down or refusing us (no answer, a timeout, HTTP 401 or 403 —
 * our client credentials —, 429, 502, 503, 504) backs off every token not cached. Any other failure
 * (500 and the other statuses, an answer that is not a JSON object or is too large) may be about
 * the one token sent — a token shape the authorization server chokes on — so it backs off that
 * token only: otherwise anyone could send such a token every few seconds and have every new caller
 * refused. But when {@link TOKENS_FAILING_TO_BACK_OFF} different tokens fail so one after another,
 * with no success between, the endpoint is most likely down after all, and every token backs off.
 */

import { ExpiringLru } from "./_lru.ts";
import { AuthUnavailableError } from "./errors.ts";

/** Whose failure it is: the endpoint's (every token waits) or perhaps the token's (it alone waits). */
export type FailureScope = "endpoint" | "token";

/** Statuses that say the endpoint is down, overloaded or refusing our client credentials, whatever the token. */
const ENDPOINT_STATUSES: ReadonlySet<number> = new Set([401, 403, 429, 502, 503, 504]);

/** Different tokens failing one after another (no success between) that mean the endpoint is down. */
const TOKENS_FAILING_TO_BACK_OFF = 3;

/** The scope of a failure after the endpoint answered `status` (its body may then not have been readable). */
export function statusScope(status: number): FailureScope {
  return ENDPOINT_STATUSES.has(status) ? "endpoint" : "token";
}

/** A failed introspection, saying whose failure it is. */
export class IntrospectionFailure extends Error {
  override readonly name = "IntrospectionFailure";
  readonly scope: FailureScope;

  constructor(message: string, scope: FailureScope, options?: ErrorOptions) {
    super(message, options);
    this.scope = scope;
  }
}

/**
 * The back-offs of one introspection endpoint: for every token, and per token (by cache key, at most
 * `capacity` tokens remembered, least recently used forgotten first: a flood of different failing
 * tokens costs bounded memory).
 */
export class IntrospectionBackoff {
  readonly #backoffMs: number;
  /** Until when (epoch ms) each recently failed token is not sent again, by cache key. */
  readonly #failedTokens: ExpiringLru<number>;
  /** The different tokens that failed since the last success (never more than the threshold). */
  readonly #streak = new Set<string>();
  #endpointFailedUntil = Number.NEGATIVE_INFINITY;

  constructor(backoffMs: number, capacity: number) {
    this.#backoffMs = backoffMs;
    this.#failedTokens = new ExpiringLru(capacity);
  }

  /** Throws an {@link AuthUnavailableError} while every token, or this one (`key`), is held back. */
  check(key: string, now: number): void {
    if (now < this.#endpointFailedUntil) {
      throw new AuthUnavailableError(
        "introspection",
        "introspection endpoint unavailable (backing off)",
        (this.#endpointFailedUntil - now) / 1000,
      );
    }
    const until = this.#failedTokens.get(key, now)?.value;
    if (until !== undefined) {
      throw new AuthUnavailableError(
        "introspection",
        "introspection of this token failed recently (backing off)",
        (until - now) / 1000,
      );
    }
  }

  /** Records that introspecting the token under `key` failed, whose failure it was, at `now`. */
  failed(key: string, scope: FailureScope, now: number): void {
    const until = now + this.#backoffMs;
    if (scope === "token") {
      this.#failedTokens.set(key, until, until);
      this.#streak.add(key);
      if (this.#streak.size < TOKENS_FAILING_TO_BACK_OFF) return;
    }
    this.#endpointFailedUntil = until;
    this.#streak.clear();
  }

  /** The endpoint answered (active or not): failures of different tokens are counted afresh. */
  succeeded(): void {
    this.#streak.clear();
  }
}
