import { storeKeyText } from "./keys.ts";
import { assertTokenBucket, takeToken } from "./token-bucket.ts";
import type { RateLimitStore, StoreKey, TokenBucket, TokenTake } from "./types.ts";

/** Options for {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** Clock in epoch milliseconds; defaults to `Date.now`. Inject one to test refills. */
  now?: () => number;
  /**
   * Most buckets kept. Past it, full buckets are dropped first (they need no state), then the least
   * recently used (which then counts as full: only an idle caller's limit loosens). Default 100,000.
   */
  maxBuckets?: number;
}

/**
 * {@link RateLimitStore} in process memory (tests, local development, one long-lived instance):
 * one number per bucket, taken synchronously, so concurrent takes are atomic.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #tats = new Map<string, number>();
  readonly #now: () => number;
  readonly #maxBuckets: number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxBuckets = options.maxBuckets ?? 100_000;
  }

  async take(key: StoreKey, bucket: TokenBucket): Promise<TokenTake> {
    assertTokenBucket(bucket);
    const name = storeKeyText(key);
    const now = this.#now();
    const step = takeToken(this.#tats.get(name), now, bucket);
    if (step.tat !== undefined) {
      this.#tats.delete(name); // re-inserted last: the map's order is least recently used first
      if (this.#tats.size >= this.#maxBuckets) this.#evict(now);
      this.#tats.set(name, step.tat);
    }
    return {
      allowed: step.allowed,
      remaining: step.remaining,
      retryAfterMs: step.retryAfterMs,
      resetAfterMs: step.resetAfterMs,
    };
  }

  #evict(now: number): void {
    for (const [name, tat] of this.#tats) if (tat <= now) this.#tats.delete(name);
    for (const name of this.#tats.keys()) {
      if (this.#tats.size < this.#maxBuckets) break;
      this.#tats.delete(name);
    }
  }
}
