/**
 * `rateLimit`: token buckets per caller (and per tool, or shared), in the stores every instance
 * shares (`stores.limits`: memory, Redis, DynamoDB, Durable Objects), so a limit holds however many
 * instances serve the calls. A limited `tools/call` answers a tool error result (the model reads it
 * and can wait: MCP reports execution failures such as rate limits in the result); a limited call
 * of another method answers the JSON-RPC error `RATE_LIMITED` (-31029) — an `initialize` or a
 * `subscriptions/listen` with HTTP 429 and `Retry-After`, as the core refuses its per-caller caps.
 * Both carry the retry hint.
 */
import {
  type McpCall,
  McpError,
  type McpResult,
  type Middleware,
  PorticoError,
  type RateLimitStore,
  RefusedError,
  type StoreKey,
  type TokenTake,
  timedRateLimitStore,
} from "@portico/core";
import { callerOf } from "./caller.ts";
import { withStoreDeadline } from "./deadline.ts";
import { digestOf } from "./digest.ts";
import { factsOf } from "./facts.ts";
import { roundsOf } from "./rounds.ts";
import { compileRule, describeRule, type RateLimitRule, type Rule, ruleCovers } from "./rules.ts";
import { covers, refusal } from "./tools.ts";

/**
 * The JSON-RPC error code of a rate-limited request other than `tools/call`: an application code,
 * outside the JSON-RPC reserved range (`-32768`…`-32000`) — MCP 2026-07-28 reserves `-32020`…`-32099`
 * for the codes it defines, and asks new codes to be allocated outside the reserved range.
 */
export const RATE_LIMITED = -31029;

/** The `_meta` key of the limit facts: on a limited result, and on each tool in `tools/list`. */
export const RATE_LIMIT_META = "portico/rateLimit";

/** Options for {@link rateLimit}. */
export interface RateLimitOptions {
  /**
   * Where the buckets are. Default: the handler's stores (`stores.limits`), shared by every instance.
   * A store given here gets the handler's `storeTimeoutMs` on every call, as the handler's stores do.
   */
  store?: RateLimitStore;
  /** Shows each tool's limits in `tools/list` (`_meta["portico/rateLimit"]`). Default `true`. */
  advertise?: boolean;
  /**
   * When the store fails: `false` (default) — the request fails as a store outage (HTTP 503 with
   * `Retry-After`), `true` — the call runs unlimited (the failure still goes to `onError`).
   */
  failOpen?: boolean;
}

/** What a limited answer's `_meta` (and its error data) says. */
export interface RateLimitFacts {
  limit: number;
  windowMs: number;
  burst: number;
  remaining: number;
  retryAfterMs: number;
}

/**
 * Limits calls by the rules given (a call must pass every rule covering it). Add it with
 * `server.use(...)` for server-wide rules, or in a tool's `use` for that tool's calls. Task runs
 * (`enableTasks`) are not counted again, nor the retries of a 2026-07-28 call this limit counted
 * before it asked for input (`input_required`; see `rounds.ts`).
 */
export function rateLimit(
  rules: RateLimitRule | readonly RateLimitRule[],
  options: RateLimitOptions = {},
): Middleware {
  const compiled = (Array.isArray(rules) ? rules : [rules as RateLimitRule]).map(compileRule);
  if (compiled.length === 0)
    throw new PorticoError("invalid_rate_limit", "rateLimit: give at least one rule");
  const advertise = options.advertise !== false;
  // Taken narrowest first: a call its caller's own limit refuses spends nothing others share.
  const enforced = compiled.toSorted((a, b) => breadth(a) - breadth(b));
  const limitId = compiled.map((rule) => rule.id).join(",");
  const own = options.store === undefined ? undefined : withStoreDeadline(options.store, timedRateLimitStore);
  return async (call, next) => {
    const answer = () =>
      call.method === "tools/list" && advertise ? next().then((r) => withLimits(r, compiled)) : next();
    if (call.inTask) return answer();
    const applying = enforced.filter((rule) => ruleCovers(rule, call, covers));
    if (applying.length === 0) return answer();
    const store = own === undefined ? call.stores.limits : own(call);
    if (store === undefined) {
      throw new PorticoError(
        "no_rate_limit_store",
        "rateLimit: the handler's stores have no `limits` (a RateLimitStore): pass `store`, or use stores that have one",
      );
    }
    const who = await callerOf(call, undefined);
    const rounds = roundsOf(call, who, limitId);
    if (rounds !== undefined && (await rounds.counted())) return rounds.follow(answer);
    for (const rule of applying) {
      let take: TokenTake;
      try {
        take = await store.take(await keyOf(rule, call, who), costed(rule, call));
      } catch (error) {
        if (!options.failOpen) throw error;
        call.report(error, "rateLimit");
        continue;
      }
      if (!take.allowed) return limited(call, rule, take);
    }
    return rounds === undefined ? answer() : rounds.follow(answer);
  };
}

/** How many callers a rule's buckets are shared by: 0 one caller's, 1 a function's, 2 everyone's. */
function breadth(rule: Rule): number {
  const by = rule.source.by;
  return by === "everyone" ? 2 : typeof by === "function" ? 1 : 0;
}

async function keyOf(rule: Rule, call: McpCall, anyone: string): Promise<StoreKey> {
  const who =
    rule.source.by === undefined || rule.source.by === "caller"
      ? anyone
      : await callerOf(call, rule.source.by);
  const target = rule.source.bucket === "shared" ? "*" : bucketOf(call);
  const what = target.length <= 128 ? target : await digestOf(target);
  return { kind: "rate", id: `${rule.id}|${what}|${who}` };
}

/**
 * The definition a call's bucket is kept for (with `bucket: "tool"`): a registered tool or prompt by
 * its name, a resource by its URI (a templated one by its template); a method without one (lists,
 * tasks) by its name. Names the server does not have share one bucket (`""`, never a name): a limit
 * runs before the handler refuses them, and names a client makes up must not each make a bucket.
 */
function bucketOf(call: McpCall): string {
  const target = call.target;
  if (target === undefined) return call.method;
  const definitions = call.definitions;
  switch (call.method) {
    case "tools/call":
      return definitions.registry("tools").has(target) ? target : "";
    case "prompts/get":
      return definitions.registry("prompts").has(target) ? target : "";
    case "resources/read": {
      if (definitions.registry("resources").has(target)) return target;
      for (const [template, entry] of definitions.registry<Templated>("templates")) {
        if (entry.template.match(target) !== undefined) return template;
      }
      return "";
    }
    default:
      return call.method;
  }
}

/** What a registered resource template is to a limit: something a URI matches. */
interface Templated {
  template: { match(uri: string): unknown };
}

function costed(rule: Rule, call: McpCall) {
  const cost = rule.source.cost?.(call);
  if (cost === undefined) return rule.bucket;
  if (!(cost > 0 && cost <= rule.bucket.burst)) {
    throw new PorticoError(
      "invalid_rate_limit",
      `rateLimit: cost must be > 0 and ≤ burst (${rule.bucket.burst}), not ${cost}`,
    );
  }
  return { ...rule.bucket, cost };
}

/**
 * What a refused take under `rule` tells the caller (`_meta["portico/rateLimit"]`) and the whole
 * seconds to wait; notes the refusal in the call's facts (logs, metrics).
 */
export function refusedTake(
  call: McpCall,
  rule: Rule,
  take: TokenTake,
): { facts: RateLimitFacts; seconds: number } {
  factsOf(call).rateLimited = `${rule.bucket.limit}/${rule.windowMs}`;
  const facts: RateLimitFacts = {
    limit: rule.bucket.limit,
    windowMs: rule.windowMs,
    burst: rule.bucket.burst,
    remaining: take.remaining,
    retryAfterMs: take.retryAfterMs,
  };
  return { facts, seconds: Math.max(1, Math.ceil(take.retryAfterMs / 1000)) };
}

function limited(call: McpCall, rule: Rule, take: TokenTake): McpResult {
  const { facts, seconds } = refusedTake(call, rule, take);
  const limit = describeRule(rule);
  if (call.method === "tools/call") {
    return refusal(`Rate limit reached for tool "${call.target}" (${limit}). Try again in ${seconds} s.`, {
      [RATE_LIMIT_META]: facts,
    });
  }
  const message = `Rate limit reached (${limit}); retry after ${seconds} s`;
  // Opening a session or a listen stream is refused like the core's own per-caller caps: HTTP 429.
  if (call.method === "initialize" || call.method === "subscriptions/listen") {
    throw new RefusedError(429, RATE_LIMITED, message, {
      data: facts,
      headers: { "retry-after": String(seconds) },
    });
  }
  throw new McpError(RATE_LIMITED, message, facts);
}

/** `tools/list` with each covered tool's limits in its `_meta` (new tool objects: definitions stay untouched). */
function withLimits(result: McpResult, rules: readonly Rule[]): McpResult {
  const tools = result.tools;
  if (!Array.isArray(tools)) return result;
  const listed = rules.filter((rule) => {
    const methods = rule.source.methods ?? ["tools/call"];
    return methods === "*" || methods.includes("tools/call");
  });
  if (listed.length === 0) return result;
  return {
    ...result,
    tools: tools.map((tool: { name: string; _meta?: Record<string, unknown> }) => {
      const mine = listed.filter((rule) => covers(rule.source.tools, tool.name)).map(advertised);
      if (mine.length === 0) return tool;
      const earlier = tool._meta?.[RATE_LIMIT_META];
      const all = Array.isArray(earlier) ? [...mine, ...earlier] : mine;
      return { ...tool, _meta: { ...tool._meta, [RATE_LIMIT_META]: all } };
    }),
  };
}

function advertised(rule: Rule): Record<string, unknown> {
  const by = rule.source.by;
  return {
    limit: rule.bucket.limit,
    windowMs: rule.windowMs,
    burst: rule.bucket.burst,
    by: typeof by === "function" ? "custom" : (by ?? "caller"),
    bucket: rule.source.bucket ?? "tool",
  };
}
