import { storeKeyText } from "./keys.ts";
import { assertTokenBucket, takeToken } from "./token-bucket.ts";
import type { RateLimitStore, StoreKey, TokenBucket, TokenTake } from "./types.ts";

/** Options for {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /** Clock in epoch milliseconds; defaults to `Date.now`. Inject one to test refills. */
  now?: () => number;
  /**
   * Most buckets kept. Past it, the least recently used are dropped, 1/64 of them at once (a
   * dropped bucket counts as full: only an idle caller's limit loosens). Default 100,000.
   */
  maxBuckets?: number;
}

/**
 * {@link RateLimitStore} in process memory (tests, local development, one long-lived instance):
 * one number per bucket, taken synchronously, so concurrent takes are atomic. The map's order is
 * least recently used first (a take moves its bucket last), so making room is dropping from the
 * front: a new bucket costs O(1), amortised, however many there are.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #tats = new Map<string, number>();
  readonly #now: () => number;
  readonly #maxBuckets: number;
  /** How many buckets one eviction drops: room for as many new ones before the next. */
  readonly #batch: number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxBuckets = options.maxBuckets ?? 100_000;
    this.#batch = Math.max(1, Math.ceil(this.#maxBuckets / 64));
  }

  async take(key: StoreKey, bucket: TokenBucket): Promise<TokenTake> {
    assertTokenBucket(bucket);
    const name = storeKeyText(key);
    const now = this.#now();
    const stored = this.#tats.get(name);
    const step = takeToken(stored, now, bucket);
    const tat = step.tat ?? stored;
    if (tat !== undefined) {
      // Re-inserted last, admitted or not: the map's order is least recently used first.
      if (stored !== undefined) this.#tats.delete(name);
      else if (this.#tats.size >= this.#maxBuckets) this.#evict();
      this.#tats.set(name, tat);
    }
    return {
      allowed: step.allowed,
      remaining: step.remaining,
      retryAfterMs: step.retryAfterMs,
      resetAfterMs: step.resetAfterMs,
    };
  }

  /** Drops the least recently used buckets, a batch of them (full ones among them need no state anyway). */
  #evict(): void {
    const keep = this.#maxBuckets - this.#batch;
    for (const name of this.#tats.keys()) {
      if (this.#tats.size <= keep) break;
      this.#tats.delete(name);
    }
  }
}
