import type { RateLimitStore, StoreKey, TokenBucket, TokenTake } from "@portico/core";
import { assertTokenBucket, storeKeyText } from "@portico/core";
import type { CommandOptions } from "./_commands.ts";
import { Commands } from "./_commands.ts";
import { TAKE } from "./_scripts.ts";
import type { RedisClientLike } from "./connection.ts";

/** Options for {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions extends CommandOptions {
  /** Prepended to every key. Default `"portico:"`. */
  keyPrefix?: string;
}

/**
 * {@link RateLimitStore} on Redis (`@portico/guard`'s `rateLimit` across instances): one string key
 * per bucket (`<prefix>r:<storeKeyText(key)>`) holding its theoretical arrival time in epoch ms
 * (the generic cell rate algorithm, as `takeToken` in `@portico/core`), with a Redis expiry (`PX`)
 * at which the bucket is full again, so an idle bucket takes no room.
 *
 * `take` is one Lua script, atomic on the server and timed by Redis's clock (`TIME`), so every
 * instance shares one clock and concurrent takes never admit more than the bucket holds.
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #commands: Commands;
  readonly #prefix: string;

  constructor(client: RedisClientLike, options: RedisRateLimitStoreOptions = {}) {
    this.#commands = new Commands(client, options);
    this.#prefix = `${options.keyPrefix ?? "portico:"}r:`;
  }

  async take(key: StoreKey, bucket: TokenBucket): Promise<TokenTake> {
    assertTokenBucket(bucket);
    const { limit, periodMs, burst, cost } = bucket;
    const args = [String(limit), String(periodMs), String(burst), String(cost)];
    // "once": a take is not idempotent. A take whose answer was lost may have taken its tokens, and
    // running it again would take them twice, so it is not retried (StoreUnavailableError instead);
    // error replies such as BUSY or LOADING, which mean the script did not run, still are.
    const reply = await this.#commands.eval(TAKE, [this.#prefix + storeKeyText(key)], args, "once");
    const [allowed, remaining, retryAfterMs, resetAfterMs] = Array.isArray(reply) ? reply : [];
    if (
      typeof allowed !== "number" ||
      typeof remaining !== "number" ||
      typeof retryAfterMs !== "number" ||
      typeof resetAfterMs !== "number"
    ) {
      throw new TypeError(`unexpected rate-limit reply ${JSON.stringify(reply)}`);
    }
    return { allowed: allowed === 1, remaining, retryAfterMs, resetAfterMs };
  }
}
