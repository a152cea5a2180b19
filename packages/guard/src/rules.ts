/** Rate-limit rules as users write them, checked and turned into token buckets once. */
import { assertTokenBucket, type McpCall, PorticoError, type TokenBucket } from "@portico/core";
import type { CallerScope } from "./caller.ts";
import type { ToolSelector } from "./tools.ts";

/** A window: a named one, or milliseconds. */
export type RateWindow = "second" | "minute" | "hour" | "day" | number;

const WINDOW_MS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** One limit. A call must pass every rule that covers it. */
export interface RateLimitRule {
  /** Calls admitted per `window`, on average (the bucket refills at this rate). */
  limit: number;
  /** The window of `limit`. */
  window: RateWindow;
  /** Most calls admitted at once from a full bucket. Default: `limit`. */
  burst?: number;
  /**
   * Whose calls share a bucket: `"caller"` (default) — each authenticated principal its own, else
   * each client address, else all anonymous callers one; `"everyone"` — one for all; or a function
   * naming the bucket (`undefined`: as `"caller"`).
   */
  by?: CallerScope;
  /** Which tools it covers (`tools/call` by name). Default: every tool. */
  tools?: ToolSelector;
  /**
   * Which methods it covers. Default `["tools/call"]`; `"*"` covers every request (lists included).
   */
  methods?: readonly string[] | "*";
  /** `"tool"` (default): each tool (or resource, prompt) its own bucket; `"shared"`: one for all it covers. */
  bucket?: "tool" | "shared";
  /** Tokens a call takes (default 1): weigh expensive calls. */
  cost?: (call: McpCall) => number;
  /**
   * Names the rule's buckets in the store. Default: derived from `limit`, `window` and `burst`; give
   * names when two rules with the same numbers must count apart.
   */
  name?: string;
}

/** A rule, checked, with its bucket. */
export interface Rule {
  readonly source: RateLimitRule;
  readonly windowMs: number;
  readonly bucket: TokenBucket;
  readonly id: string;
}

export function compileRule(rule: RateLimitRule): Rule {
  const windowMs = typeof rule.window === "number" ? rule.window : WINDOW_MS[rule.window];
  if (windowMs === undefined || !(windowMs > 0) || !Number.isFinite(windowMs)) {
    throw new PorticoError(
      "invalid_rate_limit",
      `rateLimit: window must be "second", "minute", "hour", "day" or a positive number of milliseconds, not ${JSON.stringify(rule.window)}`,
    );
  }
  if (!Number.isInteger(rule.limit) || rule.limit < 1) {
    throw new PorticoError(
      "invalid_rate_limit",
      `rateLimit: limit must be a whole number ≥ 1, not ${rule.limit}`,
    );
  }
  const burst = rule.burst ?? rule.limit;
  if (!Number.isInteger(burst) || burst < 1) {
    throw new PorticoError("invalid_rate_limit", `rateLimit: burst must be a whole number ≥ 1, not ${burst}`);
  }
  if (rule.name !== undefined && !/^[\w.-]{1,64}$/.test(rule.name)) {
    throw new PorticoError(
      "invalid_rate_limit",
      "rateLimit: name must be 1-64 characters of A-Z a-z 0-9 _ . -",
    );
  }
  const bucket: TokenBucket = { limit: rule.limit, periodMs: windowMs, burst, cost: 1 };
  assertTokenBucket(bucket);
  return { source: rule, windowMs, bucket, id: rule.name ?? `${rule.limit}-${windowMs}-${burst}` };
}

/** Whether a rule covers a call. */
export function ruleCovers(
  rule: Rule,
  call: McpCall,
  covers: (selector: ToolSelector | undefined, name: string) => boolean,
): boolean {
  const methods = rule.source.methods ?? ["tools/call"];
  if (methods !== "*" && !methods.includes(call.method)) return false;
  if (call.method === "tools/call" && call.target !== undefined)
    return covers(rule.source.tools, call.target);
  return true;
}

/** A rule in words, for error messages: "10 calls per minute" (`what`: "call", counted). */
export function describeRule(rule: Rule, what = "call"): string {
  const per = Object.entries(WINDOW_MS).find(([, ms]) => ms === rule.windowMs)?.[0];
  const calls = `${rule.bucket.limit} ${what}${rule.bucket.limit === 1 ? "" : "s"}`;
  return per === undefined ? `${calls} per ${rule.windowMs} ms` : `${calls} per ${per}`;
}
