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
   * SSE streams then close with a retry hint.
   */
  signal?: AbortSignal;
  /** Epoch ms by which the response must be complete, if the host has one. */
  deadline?: number;
  /** The host's request id (for logs). */
  requestId?: string;
  /** Auth established by the host (authorizer context, JWT claims, a worker's `ctx.props`). */
  authInfo?: AuthInfo;
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
}

/** The same contract under the name the adapters' signatures use. */
export type FetchApp = FetchHandler;
