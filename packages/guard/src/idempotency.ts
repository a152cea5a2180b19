/**
 * `idempotent`: a tool call runs at most once per idempotency key, across every instance. The first
 * call takes the key (an in-progress lock in the session store, renewed while it runs); duplicates
 * arriving meanwhile wait for its result (up to `waitMs`, then get an "in progress" tool error);
 * later duplicates get the stored result (content, `structuredContent`, `isError`) without running.
 * A failed call gives the key back (unless `cacheErrors`), as does one that ends asking for input;
 * a crashed holder's lock runs out after `lockMs`. Keys are per caller by default, and a key is
 * bound to the arguments it was first used with: reused with others, it is refused. Only a
 * registered tool's calls take keys, and each caller only so many (`keysPerCaller`): every key
 * leaves a record in the shared session store for `ttlMs`.
 */
import {
  ErrorCode,
  MAX_TIMER_MS,
  type McpCall,
  McpError,
  type McpResult,
  type Middleware,
  PorticoError,
  type SessionStore,
  type StoreKey,
  timedSessionStore,
} from "@portico/core";
import { type CallerScope, callerOf } from "./caller.ts";
import { withStoreDeadline } from "./deadline.ts";
import { digestOf } from "./digest.ts";
import { factsOf } from "./facts.ts";
import { Allowance, DEFAULT_KEY_ALLOWANCE, type KeyAllowance, utf8Length } from "./idempotency-allowance.ts";
import { KeyLock, type KeyRecord, readKey } from "./idempotency-record.ts";
import { argumentsOf, covers, refusal, type ToolSelector, toolOf } from "./tools.ts";

/** The `_meta` key a client sends an idempotency key in (`params._meta`), and a replay is marked with (`result._meta`). */
export const IDEMPOTENCY_KEY_META = "portico/idempotencyKey";
/** The `_meta` key of a replayed result: `{ key, replayed: true }`. */
export const IDEMPOTENCY_META = "portico/idempotency";

/** Options for {@link idempotent}. */
export interface IdempotencyOptions {
  /**
   * The call's key from its arguments (e.g. `(args) => args.invoiceId`); `undefined`: the client's
   * key, if any. Without `key`, only client-sent keys (`_meta["portico/idempotencyKey"]`) count.
   */
  key?: (
    args: Record<string, unknown>,
    call: McpCall,
  ) => string | number | undefined | Promise<string | number | undefined>;
  /** Accept a client-sent key in `params._meta["portico/idempotencyKey"]`. Default `true`. */
  clientKey?: boolean;
  /** Refuse a call that has no key (JSON-RPC -32602). Default `false`: it runs unguarded. */
  required?: boolean;
  /**
   * How long a result is kept (and duplicates answered from it), in ms. Default 1 hour. Any finite
   * length: it is the record's lifetime in the store, compared with the clock, never a timer.
   */
  ttlMs?: number;
  /**
   * The in-progress lock's lifetime, in ms, renewed every third of it while the call runs (a
   * timer). Default 30 s; at most 2^31−1 ms (about 24.8 days).
   */
  lockMs?: number;
  /**
   * How long a duplicate waits for a running call's result before answering "in progress", in ms.
   * Default 10 s; at most 2^31−1 ms (about 24.8 days).
   */
  waitMs?: number;
  /**
   * Also keep error results (`isError: true`) for the key; never a guard's refusal (an approval not
   * given). Default `false`: a failed call may be retried.
   */
  cacheErrors?: boolean;
  /** Whose keys are apart: `"caller"` (default: a key of one principal never answers another), `"everyone"`, or a function. */
  scope?: CallerScope;
  /** With `server.use`: which tools it guards. Default: every tool (calls with a key). */
  tools?: ToolSelector;
  /**
   * Where keys are kept. Default: the handler's session store, shared by every instance. A store
   * given here gets the handler's `storeTimeoutMs` on every call, as the handler's stores do.
   */
  store?: SessionStore;
  /** Longest result kept, in UTF-8 bytes of its JSON; a longer one is recorded as run, without its result. Default 256 KiB. */
  maxResultBytes?: number;
  /**
   * New keys one caller (its principal, else its address group, else all anonymous callers
   * together) may take: `{ limit, window, burst? }` as a `rateLimit` rule, counted in the handler's
   * `stores.limits`. Default 1,000 per hour. A new key takes one token, which covers 16 KiB of kept
   * result; a larger result takes one more token per 16 KiB (or part), and is not kept when they are
   * not there (the key still counts as run). Over the allowance, a call with a new key is refused as
   * `rateLimit` refuses (a tool error result with `_meta["portico/rateLimit"]` and the retry hint)
   * and nothing runs; replays of keys already taken are answered as ever. `false`: no allowance.
   */
  keysPerCaller?: KeyAllowance | false;
}

const MAX_KEY_LENGTH = 256;
/** Marks a call an idempotency guard holds (`call.state`): an inner guard passes it on. */
const HELD = "portico.guard.idempotent";
/** Shortest `lockMs`: renewed every third, and never more often than every 50 ms. */
const MIN_LOCK_MS = 150;

/** Makes each tool call it guards run at most once per idempotency key. */
export function idempotent(options: IdempotencyOptions = {}): Middleware {
  const ttlMs = positive(options.ttlMs, 3_600_000, "ttlMs");
  const lockMs = positive(options.lockMs, 30_000, "lockMs", { timer: true });
  if (lockMs < MIN_LOCK_MS) {
    throw new PorticoError(
      "invalid_idempotency",
      `idempotent: lockMs must be at least ${MIN_LOCK_MS} ms (the lock is renewed every third of it), not ${lockMs}`,
    );
  }
  const waitMs = positive(options.waitMs, 10_000, "waitMs", { timer: true });
  const maxResultBytes = positive(options.maxResultBytes, 262_144, "maxResultBytes");
  const allowance =
    options.keysPerCaller === false
      ? undefined
      : new Allowance(options.keysPerCaller ?? DEFAULT_KEY_ALLOWANCE);
  const own = options.store === undefined ? undefined : withStoreDeadline(options.store, timedSessionStore);
  return async (call, next) => {
    if (call.method !== "tools/call" || call.target === undefined || !covers(options.tools, call.target))
      return next();
    // A task's run: the call that started the task took its key (and holds the task's handle as its
    // result). Another guard of this kind around the same call already holds it: one key, one record.
    if (call.inTask || call.state[HELD] === true) return next();
    // A call of a tool the server does not have fails anyway: it takes no key (and leaves no record).
    if (toolOf(call) === undefined) return next();
    const args = argumentsOf(call);
    const given = await keyOfCall(call, args, options);
    if (given === undefined) {
      if (!options.required) return next();
      throw new McpError(
        ErrorCode.InvalidParams,
        `Invalid params: tool "${call.target}" needs an idempotency key (_meta["${IDEMPOTENCY_KEY_META}"])`,
      );
    }
    factsOf(call).idempotencyKey = given;
    call.state[HELD] = true;
    const store = own === undefined ? call.stores.sessions : own(call);
    const who = await callerOf(call, options.scope);
    const key: StoreKey = { kind: "idempotency", id: `${call.target}|${who}|${await digestOf(given)}` };
    // The allowance is the calling caller's, whatever scope the keys are shared in.
    const payer =
      allowance === undefined
        ? undefined
        : {
            allowance,
            who: options.scope === undefined || options.scope === "caller" ? who : await callerOf(call),
          };
    const binding = await digestOf([call.target, args]);
    const deadline = Date.now() + waitMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
      const running: KeyRecord = { s: "running", a: binding, h: crypto.randomUUID() };
      if (await store.create(key, running as never, lockMs)) {
        const refused = payer === undefined ? undefined : await admitKey(call, store, key, payer);
        if (refused !== undefined) return refused;
        return run(call, next, new KeyLock(store, key, running, lockMs), binding, {
          ttlMs,
          maxResultBytes,
          cacheErrors: options.cacheErrors === true,
          payer,
        });
      }
      const found = await readKey(store, key);
      if (found !== undefined && found.s !== "released" && found.a !== binding) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `Invalid params: idempotency key "${given}" was already used with other arguments`,
        );
      }
      if (found?.s === "done") return replay(call, found, given);
      if (Date.now() + delay > deadline || call.aborted) {
        return refusal(
          `A call of "${call.target}" with idempotency key "${given}" is still in progress; try again shortly to get its result.`,
          { [IDEMPOTENCY_META]: { key: given, inProgress: true, retryAfterMs: 1_000 } },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
}

/** Who pays for a new key: the caller's allowance. */
interface Payer {
  allowance: Allowance;
  who: string;
}

/**
 * Takes the new key's token from the caller's allowance (the key, just created, is the caller's
 * alone): over it, or when the limits store fails, the key is given back at once and the call is
 * refused (the failure thrown), with nothing run.
 */
async function admitKey(
  call: McpCall,
  store: SessionStore,
  key: StoreKey,
  payer: Payer,
): Promise<McpResult | undefined> {
  let refused: McpResult | undefined;
  try {
    refused = await payer.allowance.admit(call, payer.who);
  } catch (error) {
    await giveBack(call, store, key);
    throw error;
  }
  if (refused !== undefined) await giveBack(call, store, key);
  return refused;
}

/** Releases a lock just created (version 1) before any renewal. */
async function giveBack(call: McpCall, store: SessionStore, key: StoreKey): Promise<void> {
  await store.update(key, 1, { s: "released" }, 1).catch((e) => call.report(e, "idempotent"));
}

async function run(
  call: McpCall,
  next: () => Promise<McpResult>,
  lock: KeyLock,
  binding: string,
  keep: { ttlMs: number; maxResultBytes: number; cacheErrors: boolean; payer: Payer | undefined },
): Promise<McpResult> {
  let result: McpResult;
  try {
    result = await next();
  } catch (error) {
    // A protocol error, a crash, an input round (MRTR) or a task handed over: the key is free again.
    await lock.release().catch((e) => call.report(e, "idempotent"));
    throw error;
  }
  if (result.isError === true && (!keep.cacheErrors || refusedInside(call))) {
    await lock.release().catch((e) => call.report(e, "idempotent"));
    return result;
  }
  const text = JSON.stringify(result);
  let done: KeyRecord = { s: "done", a: binding, r: result };
  if (!fits(text, keep.maxResultBytes)) {
    done = { s: "done", a: binding, r: null };
    call.logger.warn("idempotent: result too large to keep; duplicates are told it ran", {
      target: call.target,
    });
  } else if (keep.payer !== undefined && !(await keep.payer.allowance.keep(call, keep.payer.who, text))) {
    done = { s: "done", a: binding, r: null, d: "allowance" };
    call.logger.warn(
      "idempotent: the caller's allowance cannot keep the result; duplicates are told it ran",
      {
        target: call.target,
      },
    );
  }
  const settled = await lock.settle(done, keep.ttlMs).catch((error) => {
    call.report(error, "idempotent");
    return false;
  });
  if (!settled)
    call.logger.warn("idempotent: the key's lock ran out before the call ended; its result was not kept", {
      target: call.target,
    });
  return result;
}

/** Whether a guard inside refused the call (approval not given, rate limited): nothing ran, so the key stays free. */
function refusedInside(call: McpCall): boolean {
  const facts = factsOf(call);
  return (facts.approval !== undefined && facts.approval !== "approved") || facts.rateLimited !== undefined;
}

/** Whether `text` is at most `maxBytes` bytes of UTF-8 (a UTF-16 unit is 1 to 3 of them). */
function fits(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return false;
  return text.length * 3 <= maxBytes || utf8Length(text) <= maxBytes;
}

function replay(call: McpCall, record: Extract<KeyRecord, { s: "done" }>, given: string): McpResult {
  factsOf(call).replayed = true;
  const marker = { [IDEMPOTENCY_META]: { key: given, replayed: true } };
  if (record.r === null) {
    const why =
      record.d === "allowance"
        ? "its result was not kept: the caller's allowance for kept results was spent"
        : "its result was too large to keep";
    return refusal(`A call of "${call.target}" with idempotency key "${given}" already ran; ${why}.`, marker);
  }
  const meta = record.r._meta as Record<string, unknown> | undefined;
  return { ...record.r, _meta: { ...meta, ...marker } };
}

async function keyOfCall(
  call: McpCall,
  args: Record<string, unknown>,
  options: IdempotencyOptions,
): Promise<string | undefined> {
  const own = await options.key?.(args, call);
  // A key the tool derives may be a number (an invoice number): its text is the key.
  let key: unknown = typeof own === "number" ? String(own) : own;
  if (key === undefined && options.clientKey !== false) {
    const meta = call.params._meta as Record<string, unknown> | undefined;
    key = meta?.[IDEMPOTENCY_KEY_META];
  }
  if (key === undefined) return undefined;
  if (typeof key !== "string" || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `Invalid params: an idempotency key must be a string of 1-${MAX_KEY_LENGTH} characters`,
    );
  }
  return key;
}

/**
 * `value` (else `fallback`) when it is a finite number above 0 — and, for a duration the guard
 * waits out (`timer`: the lock's renewal timer, a duplicate's wait), at most {@link MAX_TIMER_MS} —
 * else a PorticoError naming `name`.
 */
function positive(value: number | undefined, fallback: number, name: string, { timer = false } = {}): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value) || (timer && value > MAX_TIMER_MS)) {
    const bound = timer ? ` of ms, at most ${MAX_TIMER_MS} (about 24.8 days)` : "";
    throw new PorticoError(
      "invalid_idempotency",
      `idempotent: ${name} must be a positive number${bound}, not ${value}`,
    );
  }
  return value;
}
