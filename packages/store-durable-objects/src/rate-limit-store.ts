import {
  assertTokenBucket,
  type RateLimitStore,
  type StoreKey,
  storeKeyText,
  type TokenBucket,
  type TokenTake,
} from "@portico/core";
import { objectForLimit } from "./_routing.ts";
import { callObject, objectNamed, type SessionObjectNamespace } from "./_stub.ts";

/**
 * {@link RateLimitStore} in session objects, for `@portico/guard`'s `rateLimit`: every bucket has
 * an object of its own (see `_routing.ts`), holding one SQLite row, the bucket's theoretical arrival
 * time (`takeToken`, the generic cell rate algorithm). A take is one call on that object, which
 * reads and writes the row in one synchronous step by its own clock, so concurrent takes from any
 * number of Workers are atomic without a lock and never admit more than the bucket holds. The row
 * is kept until the bucket is full again; then an alarm deletes it (an expired row reads as a full
 * bucket). A take is not retried: a transient failure becomes a `StoreUnavailableError`.
 */
export class DurableObjectRateLimitStore implements RateLimitStore {
  readonly #namespace: SessionObjectNamespace;

  constructor(namespace: SessionObjectNamespace) {
    this.#namespace = namespace;
  }

  async take(key: StoreKey, bucket: TokenBucket): Promise<TokenTake> {
    assertTokenBucket(bucket);
    const text = storeKeyText(key);
    // Only the bucket's own fields cross to the object.
    const { limit, periodMs, burst, cost } = bucket;
    return callObject("take", false, () =>
      objectNamed(this.#namespace, objectForLimit(key)).takeToken(text, { limit, periodMs, burst, cost }),
    );
  }
}
