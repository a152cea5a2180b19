/** The options of `createHandler` and `createModernHandler`, their defaults, and the checks made before anything is served. */
import type { ResolvedOptions } from "./call/runtime.ts";
import type { McpCall } from "./definition/method.ts";
import type { Authenticator, AuthInfo, ExecutionContextLike } from "./definition/types.ts";
import { PorticoError } from "./errors.ts";
import type { Stores } from "./stores/types.ts";
import { isTimerMs, MAX_TIMER_MS } from "./util/timer.ts";

/** Stores a 2026-07-28-only handler uses: a session store and a bus (an event log is optional). */
export type ModernStores = Omit<Stores, "events"> & Partial<Pick<Stores, "events">>;

/** The options of `createModernHandler` (2026-07-28 only); `createHandler` takes these and more. */
export interface ModernHandlerOptions {
  /**
   * Where the one-time MRTR `requestState` records and cross-instance messages (`subscriptions/listen`)
   * live. Default: in memory (one instance). An event log is never used; any `Stores` fits.
   */
  stores?: ModernStores | undefined;
  /**
   * Longest wait for one store call; beyond it the call fails as unavailable (503 + `Retry-After`,
   * and open streams end) instead of hanging. Default 10 s; 0 waits forever; at most 2^31−1 ms
   * (about 24.8 days, the longest a timer waits), as for every duration armed as a timer.
   */
  storeTimeoutMs?: number | undefined;
  /**
   * Extra host names (`name` or `name:port`) accepted in `Host`. Localhost names always are, and so
   * are the hosts the platform routed by (the adapter's `ctx.routedHosts`: API Gateway and Function
   * URL domains, `*.workers.dev`, a Vercel deployment's hosts). `["*"]` turns the DNS-rebinding
   * check off: never needed, not recommended.
   */
  allowedHosts?: string[] | undefined;
  /**
   * Extra origins (`https://app.example.com`) accepted in `Origin`, and answered with CORS headers.
   * Localhost origins and the accepted host's own origin always pass. `["*"]` disables the check.
   */
  allowedOrigins?: string[] | undefined;
  /** Largest accepted body in bytes (413 beyond). Default 4 MB. */
  maxBodyBytes?: number | undefined;
  /** Deepest accepted JSON nesting of a body (400 beyond). Default 64. */
  maxJsonDepth?: number | undefined;
  /** Most members of one JSON object or array in a body (400 beyond). Default 100,000. */
  maxJsonItems?: number | undefined;
  /**
   * Secret sealing the MRTR `requestState` (HMAC-SHA-256). Give every instance the same one, from
   * configuration. Without it a random per-instance secret is used.
   */
  secret?: string | Uint8Array | undefined;
  /** Lifetime of a sealed `requestState`. Default 10 minutes. */
  requestStateTtlMs?: number | undefined;
  /**
   * Most used MRTR `requestState`s one caller holds at once, shared by every instance on the same
   * stores: a retry's state is remembered (so it opens only once) until it expires, in one record
   * per caller (about 45 bytes a state). Callers count by principal, anonymous ones by the address
   * group the state was issued to (`ctx.clientAddress`, as `maxSessionsPerCaller` counts; with no
   * address known, anonymous callers share one allowance). Beyond it a retry fails with `-32600`
   * and `data.retryAfterMs`; nothing else is affected. Default 1000; `Infinity` turns it off (not
   * recommended: the caller's record then grows with its retries).
   */
  maxRequestStatesPerCaller?: number | undefined;
  /**
   * SSE keep-alive comment interval. Default 15 s; 0 disables them on answers, while long-lived
   * streams (the legacy GET stream, `subscriptions/listen`) still write one every 60 s: a host that
   * notices a departed client only on a write (Workers) would otherwise hold its stream for ever.
   * At most 2^31−1 ms.
   */
  keepAliveMs?: number | undefined;
  /** `retry` hint sent when the server ends a stream. Default 1000 ms; at most 2^31−1 ms. */
  retryMs?: number | undefined;
  /** Long-lived streams end (with a retry hint) after this long. Default: never. */
  maxStreamMs?: number | undefined;
  /**
   * Most `subscriptions/listen` streams one caller may hold open at once on one instance — its
   * principal when authenticated, else the address the platform saw (`ctx.clientAddress`, an IPv6
   * address by its /64), as `maxSessionsPerCaller` counts; callers the server cannot tell apart
   * are not counted. Beyond it a listen gets 429 + `Retry-After`. A place comes back when its
   * stream ends, however it ends. Default 16; `Infinity` turns it off.
   */
  maxListenStreamsPerCaller?: number | undefined;
  /** Handlers' signals fire this long before the host's deadline. Default 1000 ms; at most 2^31−1 ms. */
  deadlineMarginMs?: number | undefined;
  /** Cache hints on modern list/read results. Default `{ ttlMs: 0, scope: "private" }`. */
  cache?: { ttlMs?: number | undefined; scope?: "public" | "private" | undefined } | undefined;
  /**
   * Who may call: `oauthResourceServer(…)`, `albOidc(…)` or `cloudflareAccess(…)` of
   * `@portico/auth`, or your own {@link Authenticator}. Runs after the Host/Origin check; the
   * principal it returns is `ctx.auth` in both eras, binds legacy sessions and MRTR state, and is
   * what definitions' `scopes` are checked against.
   */
  auth?: Authenticator | undefined;
  /**
   * A bare authentication hook (`auth` is the full form): return auth info, `undefined`
   * (anonymous) or a `Response` to send instead (e.g. 401 with `WWW-Authenticate`).
   */
  authenticate?:
    | ((
        request: Request,
        ctx: ExecutionContextLike,
      ) => AuthInfo | Response | undefined | Promise<AuthInfo | Response | undefined>)
    | undefined;
  /**
   * Receives errors that are not sent to clients (tool crashes, store failures); `call` is the MCP
   * request it happened in, when there is one (its `logger` carries the request's correlation
   * fields). Default: console.error.
   */
  onError?: ((error: unknown, where: string, call?: McpCall) => void) | undefined;
}

/** The options of `createHandler`: those of {@link ModernHandlerOptions}, and the legacy era's. */
export interface HandlerOptions extends Omit<ModernHandlerOptions, "stores"> {
  /** Where legacy sessions, events and cross-instance messages live. Default: in memory (one instance). */
  stores?: Stores | undefined;
  /**
   * Idle lifetime of a legacy session: it lives while used (the expiry slides, written back at most
   * once per half lifetime). Default 1 hour.
   */
  sessionTtlMs?: number | undefined;
  /** Absolute maximum lifetime of a legacy session, however busy. Default: none. */
  sessionMaxLifetimeMs?: number | undefined;
  /**
   * How long a streamed legacy call's owner lease lasts without a heartbeat (renewed every third
   * of it while the call runs). A client resuming the stream of a call whose instance died gets a
   * JSON-RPC error this long (plus half of it) after the last heartbeat. Default 15 s; at most
   * 2^31−1 ms.
   */
  leaseMs?: number | undefined;
  /**
   * Most long-lived streams (GET streams, resumed streams) one legacy session may hold open on one
   * instance; more get 429 with `Retry-After`. Default 8.
   */
  maxStreamsPerSession?: number | undefined;
  /**
   * Most server→client requests (`elicit()`, sampling, roots) one legacy session may have awaiting
   * the client's reply on one instance. Beyond it the request fails at once: the tool's `elicit()`
   * rejects with a JSON-RPC error (-32603) naming this option. Each holds a reply mailbox (a reply is
   * at most `maxBodyBytes`), a bus subscription and a timer. Default 8.
   */
  maxPendingReplies?: number | undefined;
  /**
   * Most legacy sessions one caller may hold open — its principal when authenticated, else the
   * address the platform saw (`ctx.clientAddress`); callers the server cannot tell apart are not
   * counted. Beyond it `initialize` gets 429 + `Retry-After`. Shared by every instance on the same
   * stores (one record per caller, about 50 bytes per session). Default 256; `Infinity` turns it off.
   */
  maxSessionsPerCaller?: number | undefined;
  /**
   * Most legacy sessions open at once on this server — every instance on the same stores, all
   * callers together. Beyond it `initialize` gets 503 + `Retry-After`. Counted in at most 16 small
   * records in the session store (a few hundred bytes each, whatever the count), by when each
   * session expires, so sessions the store expires on its own drop out of the count without any
   * write (within 1/32 of `sessionTtlMs`). Each session record is about 0.5–1 KB in a remote store
   * (plus its event log, up to the stores' `maxBytesPerSession`), so the default bounds the session
   * records to roughly 100 MB. Default 100,000; `Infinity` turns it off (no census writes).
   */
  maxSessions?: number | undefined;
  /** How long a legacy server→client request waits for the reply. Default 5 minutes; at most 2^31−1 ms. */
  replyTimeoutMs?: number | undefined;
  /** Serve the legacy era (initialize + sessions). Default true. */
  legacy?: boolean | undefined;
  /** Serve the modern era (2026-07-28). Default true. */
  modern?: boolean | undefined;
}

/** Shortest accepted `secret`: 32 bytes (256 bits, the HMAC-SHA-256 key size). */
const MIN_SECRET_BYTES = 32;

/** Counts: at least 1 (`Infinity` turns the bounds that say so off). */
const COUNTS = [
  "maxBodyBytes",
  "maxJsonDepth",
  "maxJsonItems",
  "maxRequestStatesPerCaller",
  "maxStreamsPerSession",
  "maxPendingReplies",
  "maxSessionsPerCaller",
  "maxSessions",
  "maxListenStreamsPerCaller",
  "maxStreamMs",
] as const;
/** Durations armed as timers: finite, at most {@link MAX_TIMER_MS} (a longer one would fire at once). */
const TIMERS = [
  "storeTimeoutMs",
  "leaseMs",
  "keepAliveMs",
  "replyTimeoutMs",
  "retryMs",
  "deadlineMarginMs",
] as const;
/** Lifetimes compared with the clock (never armed): any finite length. */
const LIFETIMES = ["requestStateTtlMs", "sessionTtlMs", "sessionMaxLifetimeMs"] as const;
const ZERO_OK: readonly string[] = ["storeTimeoutMs", "keepAliveMs", "retryMs", "deadlineMarginMs"];

/** A refused value as the message shows it: text quoted (`"100"`, from `process.env`, is no number). */
const shown = (value: unknown): string =>
  typeof value === "string" ? `the string ${JSON.stringify(value.slice(0, 100))}` : String(value);

const refuse = (name: string, rule: string, value: unknown): never => {
  throw new PorticoError("invalid_options", `${name} must be ${rule}, got ${shown(value)}`);
};

/**
 * Refuses numeric options out of range (NaN, negative, a string read from `process.env`, a
 * duration no timer can wait), and a `secret` too short to seal `requestState` safely (a typo or
 * a placeholder).
 */
export function checkOptions(options: HandlerOptions): void {
  if (options.auth !== undefined && options.authenticate !== undefined) {
    throw new PorticoError("invalid_options", "give either auth or authenticate, not both");
  }
  // These may be 0 (off, or no margin); every count and lifetime must be positive.
  const least = (name: string) => (ZERO_OK.includes(name) ? 0 : 1);
  for (const name of COUNTS) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && value >= least(name))) {
      refuse(name, `a number ≥ ${least(name)}`, value);
    }
  }
  for (const name of TIMERS) {
    const value = options[name];
    if (value !== undefined && !isTimerMs(value, least(name))) {
      refuse(name, `a finite number from ${least(name)} to ${MAX_TIMER_MS} ms (about 24.8 days)`, value);
    }
  }
  for (const name of LIFETIMES) {
    const value = options[name];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 1)) {
      refuse(name, "a finite number ≥ 1", value);
    }
  }
  const cacheTtl = options.cache?.ttlMs;
  if (
    cacheTtl !== undefined &&
    !(typeof cacheTtl === "number" && Number.isFinite(cacheTtl) && cacheTtl >= 0)
  ) {
    refuse("cache.ttlMs", "a finite number ≥ 0", cacheTtl);
  }
  const secret = options.secret;
  if (secret === undefined) return;
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret).byteLength : secret?.byteLength;
  if (!(bytes >= MIN_SECRET_BYTES)) {
    throw new PorticoError(
      "invalid_secret",
      `secret must be at least ${MIN_SECRET_BYTES} bytes (e.g. openssl rand -base64 32)`,
    );
  }
}

/** Default of `maxRequestStatesPerCaller`: far more answered input rounds than a client has open. */
const MAX_REQUEST_STATES_PER_CALLER = 1000;

/** The resolved options beyond the eras' {@link ResolvedOptions}. */
interface HandlerOwnOptions {
  /** `maxListenStreamsPerCaller`: the handler's own (not the eras'). */
  maxListenStreamsPerCaller: number;
}

/** The options with their defaults. */
export function resolve(options: HandlerOptions): ResolvedOptions & HandlerOwnOptions {
  return {
    maxListenStreamsPerCaller: options.maxListenStreamsPerCaller ?? 16,
    maxRequestStatesPerCaller: options.maxRequestStatesPerCaller ?? MAX_REQUEST_STATES_PER_CALLER,
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    maxJsonDepth: options.maxJsonDepth ?? 64,
    maxJsonItems: options.maxJsonItems ?? 100_000,
    keepAliveMs: options.keepAliveMs ?? 15_000,
    sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
    sessionMaxLifetimeMs: options.sessionMaxLifetimeMs,
    leaseMs: options.leaseMs ?? 15_000,
    maxStreamsPerSession: options.maxStreamsPerSession ?? 8,
    maxPendingReplies: options.maxPendingReplies ?? 8,
    maxSessionsPerCaller: options.maxSessionsPerCaller ?? 256,
    maxSessions: options.maxSessions ?? 100_000,
    replyTimeoutMs: options.replyTimeoutMs ?? 5 * 60 * 1000,
    requestStateTtlMs: options.requestStateTtlMs ?? 10 * 60 * 1000,
    retryMs: options.retryMs ?? 1000,
    maxStreamMs: options.maxStreamMs,
    deadlineMarginMs: options.deadlineMarginMs ?? 1000,
    cache: { ttlMs: options.cache?.ttlMs ?? 0, scope: options.cache?.scope ?? "private" },
    legacy: options.legacy ?? true,
    modern: options.modern ?? true,
    secret: options.secret,
  };
}
