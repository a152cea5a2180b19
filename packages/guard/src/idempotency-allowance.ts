/**
 * How many idempotency keys one caller may take, and how many bytes of results it may have kept: a
 * token bucket per caller in `stores.limits` (like a `rateLimit` rule, so it holds across instances).
 * Each record a key leaves stays in the session store for `ttlMs`, so without this one caller sending
 * a fresh key with every call could fill the store every other caller needs. A new key takes one
 * token, which covers {@link BYTES_PER_TOKEN} of kept result; a larger result takes one more token per
 * `BYTES_PER_TOKEN` (or part), or is not kept.
 */
import {
  type McpCall,
  type McpResult,
  PorticoError,
  type RateLimitStore,
  type StoreKey,
  type TokenTake,
} from "@portico/core";
import { RATE_LIMIT_META, refusedTake } from "./rate-limit.ts";
import { compileRule, describeRule, type RateLimitRule, type Rule } from "./rules.ts";
import { refusal } from "./tools.ts";

/** Kept result bytes one token of the allowance covers (UTF-8 bytes of the result's JSON). */
export const BYTES_PER_TOKEN = 16_384;

/** A caller's allowance of new idempotency keys: `limit` per `window`, up to `burst` at once. */
export type KeyAllowance = Pick<RateLimitRule, "limit" | "window" | "burst">;

/** The default: 1,000 new keys per hour per caller (16 MiB of kept results). */
export const DEFAULT_KEY_ALLOWANCE: KeyAllowance = { limit: 1_000, window: "hour" };

/** A caller's allowance, checked once. */
export class Allowance {
  readonly #rule: Rule;
  #warned = false;

  constructor(allowance: KeyAllowance) {
    const { limit, window, burst } = allowance;
    try {
      // Its id (from the numbers) keeps apart allowances of other numbers (a tool's own `idempotent`).
      this.#rule = compileRule(burst === undefined ? { limit, window } : { limit, window, burst });
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^rateLimit: /, "") : String(error);
      throw new PorticoError("invalid_idempotency", `idempotent: keysPerCaller: ${message}`);
    }
  }

  /**
   * Takes one token for a new key of `who`: `undefined` when admitted, else the refusal to answer
   * (a tool error result shaped as `rateLimit`'s). A store failure throws (a 503, as a store outage).
   */
  async admit(call: McpCall, who: string): Promise<McpResult | undefined> {
    const store = this.#store(call);
    if (store === undefined) return undefined;
    const take = await store.take(this.#key(who), this.#rule.bucket);
    return take.allowed ? undefined : this.#refusal(call, take);
  }

  /**
   * Takes the tokens keeping a result of `text` (its JSON) needs beyond the key's own; whether they
   * were there (a failing store: reported, and not kept).
   */
  async keep(call: McpCall, who: string, text: string): Promise<boolean> {
    if (text.length * 3 <= BYTES_PER_TOKEN) return true;
    const extra = Math.ceil(utf8Length(text) / BYTES_PER_TOKEN) - 1;
    if (extra <= 0) return true;
    if (extra > this.#rule.bucket.burst) return false;
    const store = this.#store(call);
    if (store === undefined) return true;
    try {
      return (await store.take(this.#key(who), { ...this.#rule.bucket, cost: extra })).allowed;
    } catch (error) {
      call.report(error, "idempotent");
      return false;
    }
  }

  #store(call: McpCall): RateLimitStore | undefined {
    const store = call.stores.limits;
    if (store === undefined && !this.#warned) {
      this.#warned = true;
      call.logger.warn(
        "idempotent: the handler's stores have no `limits`; new idempotency keys are not bounded per caller",
      );
    }
    return store;
  }

  #key(who: string): StoreKey {
    return { kind: "idempotency-keys", id: `${this.#rule.id}|${who}` };
  }

  #refusal(call: McpCall, take: TokenTake): McpResult {
    const rule = this.#rule;
    const { facts, seconds } = refusedTake(call, rule, take);
    return refusal(
      `Idempotency key limit reached for tool "${call.target}" (${describeRule(rule, "new idempotency key")} per caller); nothing was run. Try again in ${seconds} s.`,
      { [RATE_LIMIT_META]: facts },
    );
  }
}

/** UTF-8 bytes of `text` (well-formed UTF-16, as `JSON.stringify` makes it), without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff)
      bytes += 1; // a surrogate pair: 2 units, 4 bytes
    else if (unit >= 0x800) bytes += 2;
    else if (unit >= 0x80) bytes += 1;
  }
  return bytes;
}
