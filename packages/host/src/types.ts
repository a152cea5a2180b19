/**
 * The fetch contract: what the core answers and every adapter calls. Declared here once; the core
 * and every adapter import it (type-only imports cost nothing at run time).
 */

/** Who is calling, as established by the host (authorizer, middleware, adapter) or an auth hook. */
export interface AuthInfo {
  /** The raw bearer token, when there is one. */
  token?: string;
  clientId?: string;
  scopes?: string[];
  /** Epoch seconds. */
  expiresAt?: number;
  /** Subject / principal id. Bound into MRTR request state. */
  subject?: string;
  /** Anything else the host knows (claims, authorizer context). */
  extra?: Record<string, unknown>;
  /** A verified token's claims (JWT payload or introspection answer), when there is one. */
  claims?: Readonly<Record<string, unknown>>;
  /** Who issued the identity (a token's `iss`, `alb`, `cloudflare-access`, …), when known. */
  issuer?: string;
}

/**
 * What the host runtime passes next to the request (Workers' ctx, the Lambda context, the Node
 * server). Every member is optional: a plain `fetch(request)` call is valid.
 */
export interface ExecutionContextLike {
  /** Keeps the host alive until `promise` settles (work that outlives the response). */
  waitUntil?(promise: Promise<unknown>): void;
  /**
   * Aborted when the host wants the handler to wrap up (graceful shutdown or deadline); long-lived
   * SSE streams then close with a retry hint. A call in progress is aborted at once, unless the
   * reason carries the end of the host's grace period (`shutdownReason(deadline)`): it then runs
   * until that deadline minus `deadlineMarginMs`.
   */
  signal?: AbortSignal;
  /** Epoch ms by which the response must be complete, if the host has one. */
  deadline?: number;
  /** The host's request id (for logs). */
  requestId?: string;
  /** Auth established by the host (authorizer context, JWT claims, a worker's `ctx.props`). */
  authInfo?: AuthInfo;
  /**
   * Host names (`name` or `name:port`) the platform itself routed this request by: API Gateway's
   * and Function URLs' `requestContext.domainName`, a deployed Worker's `*.workers.dev` host, a
   * Vercel deployment's host. The core's Host check accepts them without configuration. Adapters
   * set it only where the platform matched the host before the request reached the function,
   * never from a header a local client chose (dev servers leave it unset).
   */
  routedHosts?: readonly string[];
  /**
   * The caller's network address as the platform saw it (the TCP peer on Node and Bun, API
   * Gateway's `sourceIp`, Cloudflare's `CF-Connecting-IP`, Vercel's `x-real-ip` when deployed).
   * Set only from what the platform vouches for, never from a header any client can send. The
   * core counts an anonymous caller's legacy sessions under it (`maxSessionsPerCaller`).
   */
  clientAddress?: string;
  /**
   * `true` on hosts that run many instances side by side (Lambda, Vercel, Workers): a handler
   * without a configured `secret` then says once, when it first seals an MRTR `requestState` (a
   * handler asked for input), that the state will not open on other instances.
   */
  multiInstance?: boolean;
  /**
   * Set by adapters that write responses through {@link readBufferedResponse}: the handler may then
   * answer with a buffered `Response`. Otherwise it returns real ones.
   */
  bufferedResponses?: boolean;
  /**
   * `false` when the host cannot deliver a body incrementally (a buffered Lambda handler): the
   * handler then never answers with a stream it could not deliver — notifications during a call
   * are dropped and the call answers JSON, long-lived streams are refused with 405, and legacy
   * server→client requests fail. Default `true`.
   */
  canStream?: boolean;
}

/** The one contract: any object with a Web Fetch `fetch` (a Portico handler, a Hono app, a router). */
export interface FetchHandler {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response> | Response;
  /**
   * The app reads requests only through their members (no `instanceof Request`, no
   * `new Request(request)`), so an adapter may hand it a buffered request (`bufferedRequest` of
   * `@portico/host`: no undici on Node) instead of a real one. A Portico handler sets it; leave it
   * unset for a router or framework that wraps requests (they then get real `Request`s).
   */
  readonly acceptsBufferedRequests?: boolean;
}

/** The same contract under the name the adapters' signatures use. */
export type FetchApp = FetchHandler;

/**
 * Who may call, decided before anything else: `createHandler(server, { auth })` takes one (for
 * instance `oauthResourceServer(…)` of `@portico/auth`, or `albOidc`/`cloudflareAccess` for the
 * identities those platforms sign). The core runs the Host/Origin check first, then `serve`, then
 * `authenticate`; a definition's `scopes` the caller lacks get `insufficientScope`'s answer.
 */
export interface Authenticator {
  /**
   * Answers the requests the authenticator owns (its Protected Resource Metadata under
   * `/.well-known/oauth-protected-resource`), or `undefined` for every other request.
   */
  serve?(request: Request, ctx: ExecutionContextLike): Response | undefined | Promise<Response | undefined>;
  /**
   * The caller, `undefined` for an anonymous caller it admits, or the `Response` to send instead
   * (401 with a `WWW-Authenticate` challenge). It must not throw for bad credentials.
   */
  authenticate(
    request: Request,
    ctx: ExecutionContextLike,
  ): AuthInfo | Response | undefined | Promise<AuthInfo | Response | undefined>;
  /**
   * The answer to a caller who lacks `required` (every scope a definition lists): 403 with
   * `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` for step-up. Default: the
   * core's own challenge without `resource_metadata`.
   */
  insufficientScope?(request: Request, required: readonly string[], auth: AuthInfo | undefined): Response;
}
