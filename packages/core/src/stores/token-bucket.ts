/**
 * The token bucket as the generic cell rate algorithm (GCRA): a bucket is one number, its
 * theoretical arrival time `tat` — when it would be full again. A take of `cost` tokens moves it
 * `cost × periodMs / limit` later; the take is admitted while that stays within `burst` tokens'
 * worth of time from now. The memory and Durable Object stores run this function; the Redis script
 * and the DynamoDB conditional updates compute the same.
 */
import type { TokenBucket, TokenTake } from "./types.ts";

/** Slack for floating-point sums (a millionth of a millisecond). */
const EPSILON = 1e-6;

/** What a take decides, and the bucket's next state when it was admitted. */
export interface TokenStep extends TokenTake {
  /** Admitted: the new theoretical arrival time (epoch ms) to store, for `ttlMs`. */
  readonly tat?: number;
  /** Admitted: how long to keep the new state (after it, the bucket is full: no state needed). */
  readonly ttlMs?: number;
}

/** Milliseconds one token stands for. */
export function tokenIntervalMs(bucket: TokenBucket): number {
  return bucket.periodMs / bucket.limit;
}

/**
 * One take on a bucket whose stored arrival time is `tat` (`undefined`: no state, a full bucket)
 * at `now` (epoch ms).
 */
export function takeToken(tat: number | undefined, now: number, bucket: TokenBucket): TokenStep {
  const interval = tokenIntervalMs(bucket);
  const capacity = bucket.burst * interval;
  const from = tat === undefined || tat < now ? now : tat;
  const next = from + bucket.cost * interval;
  if (next - now > capacity + EPSILON) {
    return {
      allowed: false,
      remaining: Math.max(0, Math.floor((capacity - (from - now)) / interval + EPSILON)),
      retryAfterMs: Math.ceil(next - now - capacity - EPSILON),
      resetAfterMs: Math.ceil(from - now - EPSILON),
    };
  }
  const ahead = next - now;
  return {
    allowed: true,
    remaining: Math.max(0, Math.floor((capacity - ahead) / interval + EPSILON)),
    retryAfterMs: 0,
    resetAfterMs: Math.ceil(ahead - EPSILON),
    tat: next,
    ttlMs: Math.max(1, Math.ceil(ahead)),
  };
}

/** Throws a `TypeError` unless `bucket` is a bucket a take can be admitted from. */
export function assertTokenBucket(bucket: TokenBucket): void {
  const { limit, periodMs, burst, cost } = bucket;
  if (!(limit > 0 && Number.isFinite(limit))) throw new TypeError("A token bucket's limit must be > 0");
  if (!(periodMs > 0 && Number.isFinite(periodMs)))
    throw new TypeError("A token bucket's periodMs must be > 0");
  if (!(burst >= 1 && Number.isFinite(burst))) throw new TypeError("A token bucket's burst must be ≥ 1");
  if (!(cost > 0 && cost <= burst)) throw new TypeError("A token bucket's cost must be > 0 and ≤ its burst");
}
