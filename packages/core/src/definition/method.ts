/**
 * What one MCP method is, declared once (its handler, the eras that serve it, whether its result is
 * cacheable, whether it may ask the client for input, the param naming its target), what a call of
 * it looks like to middleware and handlers, and what middleware is. Both eras dispatch from the
 * method table these declarations make (methods/table.ts).
 */
import type { ErrorReporter } from "../errors.ts";
import type { LogLevel } from "../jsonrpc/protocol.ts";
import type { Stores } from "../stores/types.ts";
import type { Era, HandlerContext, InputRequest } from "./context.ts";
import type { LogFields, Logger } from "./logger.ts";
import type { AuthInfo, ExecutionContextLike, Implementation } from "./types.ts";

/** A method's params and result: plain JSON-RPC objects. */
export type McpParams = Record<string, unknown>;
export type McpResult = Record<string, unknown>;

/**
 * One MCP request on its way to its method, as middleware and method handlers see it. Made once per
 * request by either era; everything on it is read on demand, so what nobody reads costs nothing.
 */
export interface McpCall {
  /** The JSON-RPC method, e.g. `tools/call`. */
  readonly method: string;
  /** The request's params (`{}` when absent). A middleware may replace them before `next()`. */
  params: McpParams;
  /** The tool or prompt name, or the resource URI, for the methods that name one (else `undefined`). */
  readonly target: string | undefined;
  /** `modern` (2026-07-28, stateless) or `legacy` (initialize + sessions). */
  readonly era: Era;
  /** The protocol version this request is served at. */
  readonly protocolVersion: string;
  /** The JSON-RPC id of the request. */
  readonly requestId: string | number;
  /** Legacy era: the session id. */
  readonly sessionId: string | undefined;
  /** Who is calling (the host's auth or the `authenticate` hook's), or `undefined` (anonymous). */
  readonly auth: AuthInfo | undefined;
  /** The host's id of the HTTP request (Lambda's request id, `cf-ray`, `X-Request-Id`), for logs. */
  readonly hostRequestId: string | undefined;
  /**
   * The caller's network address as the adapter knows it (`ctx.clientAddress`: Lambda's source IP,
   * the socket's peer on Node, `CF-Connecting-IP` on Workers), or `undefined`.
   */
  readonly clientAddress: string | undefined;
  /**
   * Who is calling, as one comparable text (issuer, subject and client id of `auth`), or `null` for an
   * anonymous caller: what sessions, `requestState` and tasks are bound to.
   */
  readonly principal: string | null;
  /**
   * The handler's stores (those every instance shares when they are durable), for middleware that
   * keeps state across instances: rate-limit buckets, idempotency records.
   */
  readonly stores: Stores;
  /** Whether this is a task's run in the background (`enableTasks`), not the client's request. */
  readonly inTask: boolean;
  /** Aborted on cancellation, a dropped stream, the host's deadline or shutdown. */
  readonly signal: AbortSignal;
  /**
   * Whether `signal` has fired (cancellation, a dropped stream, the deadline, shutdown). Reading it
   * costs nothing and, unlike `signal`, starts no watch.
   */
  readonly aborted: boolean;
  /**
   * Aborts `signal` with `reason`, as cancellation does; the method's answer is still whatever
   * `next()` resolves or throws. For middleware that gives up on a call (its own deadline) and
   * wants a handler watching `signal` to stop. Once `signal` has fired this does nothing.
   */
  abort(reason: unknown): void;
  /**
   * Whether the answer has become an SSE stream (something — progress, a log notification, a
   * legacy server→client request — was sent ahead of it); `false` while it is still plain JSON.
   */
  readonly streamed: boolean;
  /**
   * Wraps every server→client input round of this request — `elicit()`, `sample()`, `listRoots()`,
   * `inputs()` — from here on (instrumentation: a span or a timer per round). `next()` asks the
   * client and resolves its answers; in the modern era a round whose answers are not in hand yet
   * rejects with the core's input-required signal, which a wrapper must let through.
   */
  wrapInputs(wrapper: InputWrapper): void;
  /**
   * The request's server-side logger, which the handler gets as `ctx.logger`. A middleware may
   * replace it before `next()` (e.g. with a child carrying more fields).
   */
  logger: Logger;
  /**
   * The fields that tie a log line to this request: `method`, `era`, `protocolVersion`,
   * `jsonrpcId`, and `target`, `sessionId`, `hostRequestId` where there is one (a fresh object).
   */
  correlation(): LogFields;
  /** A bag for middleware to pass values along the chain (made on first use). */
  readonly state: Record<string, unknown>;
  /** The context the method's handler receives (progress, log, elicit, …). */
  readonly ctx: HandlerContext;
  /**
   * The server's definitions, for method handlers and middleware: `definitions.registry("tools")`
   * (or `prompts`, `resources`, `templates`) is what the server exposes, keyed by name or URI — e.g.
   * to tell a tool the server has from a name the client made up.
   */
  readonly definitions: Definitions;
  /**
   * Where errors that are not sent to the client go (`onError`).
   * @internal
   */
  readonly report: ErrorReporter;
  /**
   * Legacy era: the call's session, for the methods that change it (`logging/setLevel`,
   * `resources/subscribe`); `undefined` in the modern era.
   * @internal
   */
  readonly session: SessionHandle | undefined;
}

/** See {@link McpCall.wrapInputs}. */
export type InputWrapper = (
  requests: Readonly<Record<string, InputRequest>>,
  next: () => Promise<Record<string, unknown>>,
) => Promise<Record<string, unknown>>;

/**
 * Wraps every MCP request (lists included) on its way to the method: `next()` runs the rest of the
 * chain and the method and resolves its result. A middleware may return its own result (without
 * calling `next`), change the result `next()` gave, or throw an `McpError` (it becomes the JSON-RPC
 * error on the wire, in both eras, also after progress was streamed). Rethrow errors you do not own.
 */
export type Middleware = ((
  call: McpCall,
  next: () => Promise<McpResult>,
) => McpResult | Promise<McpResult>) & {
  /** `false`: `server.use()` and a definition's `use` leave it out, so it costs nothing (a switched-off instrumentation). */
  readonly enabled?: boolean;
  /**
   * Runs around the handling of each HTTP request the handler gets — before its body is read and a
   * legacy session is looked up, until its response is made (a stream's life is not in it) — for
   * instrumentation that needs a context around work outside any call (an OpenTelemetry context).
   * `run` resolves the response the client gets — a failure of the handling already answered as it
   * (500, or 503 for a store outage) and reported to `onError`. Must call `run` once and return what
   * it resolves, or a response of its own around it (one that follows the body of a stream). Only server middleware (`server.use`) has one run; a definition's
   * `use` never does.
   */
  readonly scope?: RequestScope;
};

/** See {@link Middleware}'s `scope`; `host` is the adapter's context (its `requestId`, `clientAddress`, …). */
export type RequestScope = (
  request: Request,
  run: () => Promise<Response>,
  host: ExecutionContextLike,
) => Promise<Response>;

/** One MCP method, declared once. */
export interface MethodSpec {
  /** The eras that serve it. */
  readonly eras: readonly Era[];
  /** Modern era: the result carries cache hints (`ttlMs`, `cacheScope`). */
  readonly cacheable?: boolean;
  /** Modern era: the handler may ask the client for input (an `input_required` round trip). */
  readonly mrtr?: boolean;
  /** The param naming the method's target: `call.target`, and mirrored in `Mcp-Name` (modern). */
  readonly nameParam?: "name" | "uri" | "taskId";
  /**
   * Modern era: checks headers that mirror more of the params than the name (a tool's
   * `Mcp-Param-*`); returns the mismatch message, or `undefined` when they agree.
   */
  readonly mirrors?: (headers: Headers, params: McpParams, definitions: Definitions) => string | undefined;
  /**
   * The scopes a call needs (its target's `scopes`), checked over HTTP before the call reaches
   * its era: a caller lacking one gets the authenticator's 403 step-up challenge.
   */
  readonly scopes?: (params: McpParams, definitions: Definitions) => readonly string[] | undefined;
  /** Serves the method. */
  readonly handler: (call: McpCall) => McpResult | Promise<McpResult>;
}

/** A family of methods (tools, resources, prompts, …) and what it adds to the server's capabilities. */
export interface MethodFamily {
  /** Its name, e.g. `tools` (the error for an absent family names it). */
  readonly name: string;
  readonly methods: Readonly<Record<string, MethodSpec>>;
  /** Whether its methods are served now (tools only while a tool is registered). Default: always. */
  readonly available?: (definitions: Definitions) => boolean;
  /** What it adds to the capabilities in `initialize` and `server/discover`, given what is registered. */
  readonly capabilities?: (definitions: Definitions, era: Era) => Record<string, unknown> | undefined;
}

/** What method handlers read of a server definition. */
export interface Definitions {
  /** The exposed definitions of one kind (`tools`, `prompts`, …; see `ServerOptions.tags`), keyed by name or URI. */
  registry<E>(kind: string): ReadonlyMap<string, E>;
  readonly info: Implementation;
  readonly instructions: string | undefined;
  readonly pageSize: number;
  /**
   * Every installed family, once each.
   * @internal
   */
  families(): MethodFamily[];
}

/**
 * The fields of a legacy session that methods change.
 * @internal
 */
export interface SessionFields {
  logLevel: LogLevel | null;
  subscriptions: string[];
}

/**
 * A legacy call's session, for the methods that change it.
 * @internal
 */
export interface SessionHandle {
  update(change: (fields: SessionFields) => SessionFields): Promise<void>;
}
