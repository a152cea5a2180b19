import { checkTimerMs } from "@portico/host";

/**
 * When and how long the client waits before trying a request again. The durations are numbers of
 * ms from 0 to 2^31−1 (about 24.8 days, the longest a timer waits); anything else throws a
 * `RangeError` when the client is made.
 */
export interface RetryOptions {
  /** Most attempts per request, the first included. Default 6. */
  maxAttempts?: number;
  /** Backoff base: the cap on the first retry's delay. Default 50 ms. */
  baseDelayMs?: number;
  /** Largest delay between two attempts. Default 1000 ms. */
  maxDelayMs?: number;
  /** No retry starts later than this after the first attempt. Default 5000 ms. */
  maxElapsedMs?: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  maxElapsedMs: number;
}

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const policy = {
    maxAttempts: options.maxAttempts ?? 6,
    baseDelayMs: options.baseDelayMs ?? 50,
    maxDelayMs: options.maxDelayMs ?? 1_000,
    maxElapsedMs: options.maxElapsedMs ?? 5_000,
  };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  // The delays are slept with a timer, and a retry starts no later than `maxElapsedMs` after the first attempt.
  for (const name of ["baseDelayMs", "maxDelayMs", "maxElapsedMs"] as const) {
    checkTimerMs(`retry.${name}`, policy[name], 0);
  }
  return policy;
}

/** Error types DynamoDB uses for "slow down"; they are safe to retry. */
const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
  "LimitExceededException",
]);

export function isThrottling(type: string): boolean {
  return THROTTLING.has(type);
}

/** "Full jitter" exponential backoff: a random delay in [0, min(max, base·2^retry)). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(Math.random() * cap);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
