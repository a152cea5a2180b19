/**
 * The fetch handler both factories build (`createHandler`: both eras; `createModernHandler`:
 * 2026-07-28 only). It checks the HTTP request (Host/Origin, method, Accept, Content-Type, size,
 * JSON), authenticates, and hands the body to the era it belongs to.
 */

import { bufferedResponse, hostErrorBody, isResponse, toRealResponse } from "@portico/host";
import { defaultInsufficientScope, missingScopes } from "./auth/scopes.ts";
import type { Incoming, LegacyEra, Runtime } from "./call/runtime.ts";
import { SessionSlots } from "./call/session-slots.ts";
import type { McpParams, MethodSpec, RequestScope } from "./definition/method.ts";
import type { McpServer, ServerEvent } from "./definition/server.ts";
import { tasksHook } from "./definition/task-hook.ts";
import type { Authenticator, AuthInfo, ExecutionContextLike, FetchHandler } from "./definition/types.ts";
import { ErrorCode, type ErrorReporter, isStoreUnavailable, notice, PorticoError } from "./errors.ts";
import { readJsonBody } from "./http/body.ts";
import { corsOrigin, corsPreflight, withCors } from "./http/cors.ts";
import { cannotStream, httpError, storeUnavailable } from "./http/responses.ts";
import { checkContentType, checkPostAccept, originGuard, type Refusal } from "./http/validate.ts";
import { isLegacyVersion, META } from "./jsonrpc/protocol.ts";
import { LOGGING, SERVER } from "./methods/server-methods.ts";
import { modernPost } from "./modern/post.ts";
import { checkOptions, type HandlerOptions, resolve } from "./options.ts";
import { topics } from "./stores/keys.ts";
import { lazyStores } from "./stores/lazy.ts";
import { timedStores } from "./stores/timed.ts";
import type { Stores } from "./stores/types.ts";
import { isInstance } from "./util/is-instance.ts";
import { onceEach } from "./util/once.ts";

/**
 * One request's `Incoming`, made by a class rather than an object literal. V8 may "pretenure" a
 * literal's allocation site (allocate its objects straight in the old generation) when it sees them
 * survive a young-generation GC; under load it did so for this object, which every part of a call
 * refers to, and each dead old `Incoming` then kept its request's young objects alive through
 * every scavenge: ~6× the GC time and ~20% fewer requests per second on the Node adapter.
 * Constructed objects have no allocation site to pretenure.
 */
class IncomingRequest implements Incoming {
  request: Request;
  env: unknown;
  host: ExecutionContextLike;
  auth: AuthInfo | undefined;
  constructor(request: Request, env: unknown, host: ExecutionContextLike, auth: AuthInfo | undefined) {
    this.request = request;
    this.env = env;
    this.host = host;
    this.auth = auth;
  }
}

export interface McpHandler extends FetchHandler {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
  /** Always `true`: adapters may pass buffered requests (see `FetchHandler`). */
  readonly acceptsBufferedRequests: true;
  /** Stops forwarding server events to the bus. */
  close(): void;
  /**
   * Runs a task job handed over by `enableTasks`' `dispatch` (from a queue, or the event of an
   * asynchronous invocation of this function): resolves when the run ends. The job is checked;
   * a job whose task another run holds, or that has ended, does nothing.
   */
  runTask(job: unknown, env?: unknown, ctx?: ExecutionContextLike): Promise<void>;
}

function isModernMessage(request: Request, body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const params = (body as { params?: unknown }).params;
  const meta =
    typeof params === "object" && params !== null ? (params as { _meta?: unknown })._meta : undefined;
  if (typeof meta === "object" && meta !== null && META.protocolVersion in meta) return true;
  if (request.headers.has("mcp-session-id")) return false;
  const version = request.headers.get("mcp-protocol-version");
  return version !== null && !isLegacyVersion(version);
}

/**
 * Whether a batch (a JSON array) was sent by a 2026-07-28 client: its `MCP-Protocol-Version` header
 * names a modern version, or one of its first messages carries the modern `_meta` envelope. Such a
 * client gets a plain refusal, not a legacy era's session error it would take for a legacy server.
 */
function isModernBatch(request: Request, body: unknown[]): boolean {
  const version = request.headers.get("mcp-protocol-version");
  if (version !== null && !isLegacyVersion(version)) return true;
  return body.slice(0, 8).some((message) => isModernMessage(request, message));
}

/** The protocol version a refused request asked for: its header, else its `initialize`'s, else "" (unknown). */
function requestedVersion(request: Request, body: unknown): string {
  const header = request.headers.get("mcp-protocol-version");
  if (header !== null) return header;
  const params = (body as { params?: { protocolVersion?: unknown } } | null)?.params;
  return typeof params?.protocolVersion === "string" ? params.protocolVersion : "";
}

/** Per server, per stores given: the one subscription that publishes its events, and its users. */
const publishers = new WeakMap<McpServer, WeakMap<object, { users: number; stop: () => void }>>();

/**
 * Publishes `server`'s events (definition changes, resource updates) to the bus with `publish`:
 * once per server and stores, however many handlers serve that server over those stores (else
 * every client heard each change once per handler). Handlers with their own default stores each
 * publish to their own bus. Returns what stops this handler's share of it.
 */
function publishServerEvents(
  server: McpServer,
  shared: Stores | undefined,
  publish: (event: ServerEvent) => void,
): () => void {
  if (shared === undefined) return server.subscribe(publish);
  let byStores = publishers.get(server);
  if (byStores === undefined) {
    byStores = new WeakMap();
    publishers.set(server, byStores);
  }
  let entry = byStores.get(shared);
  if (entry === undefined) {
    entry = { users: 0, stop: server.subscribe(publish) };
    byStores.set(shared, entry);
  }
  entry.users++;
  const mine = entry;
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    mine.users--;
    if (mine.users === 0) {
      mine.stop();
      byStores.delete(shared);
    }
  };
}

/** The answer to an error nothing else handled: 503 + Retry-After for an unavailable store, else 500. */
function failure(error: unknown): Response {
  if (isStoreUnavailable(error)) return storeUnavailable(error);
  return bufferedResponse(hostErrorBody(500), 500, { "content-type": "application/json" });
}

/**
 * The methods (and their families) whose `scopes` read only the `scopes` of tools, resources,
 * templates and prompts: while no definition declares scopes, their calls need no check. Any other
 * method's `scopes` (a custom family's) is always asked.
 */
const DEFINITION_METHODS: ReadonlyMap<string, string> = new Map([
  ["tools/call", "tools"],
  ["resources/read", "resources"],
  ["resources/subscribe", "resources"],
  ["prompts/get", "prompts"],
  ["completion/complete", "completion"],
]);
/** The registries of those definitions. */
const DEFINITION_KINDS = ["tools", "resources", "templates", "prompts"] as const;

/**
 * Most messages of one POSTed batch the scope check looks at: a batch with more to check is refused
 * (400) before any is checked. No smaller than the legacy era's batch size (`MAX_BATCH_MESSAGES`),
 * so it refuses no batch that era would run.
 */
export const MAX_SCOPE_CHECKED = 100;

/** Per server: whether a definition declares `scopes` (`undefined`: to work out again). */
const scopedServers = new WeakMap<McpServer, { scoped: boolean | undefined }>();

/**
 * Whether an exposed definition of `server` declares `scopes`: worked out on first use and again
 * after a definition is added or removed (every change emits `list_changed`), not per request.
 */
function definitionsDeclareScopes(server: McpServer): boolean {
  let state = scopedServers.get(server);
  if (state === undefined) {
    const fresh: { scoped: boolean | undefined } = { scoped: undefined };
    // Lives as long as the server (not the handler): a closed handler's server may still change.
    server.subscribe((event) => {
      if (event.type === "list_changed") fresh.scoped = undefined;
    });
    scopedServers.set(server, fresh);
    state = fresh;
  }
  state.scoped ??= DEFINITION_KINDS.some((kind) => {
    for (const entry of server.registry<{ config?: { scopes?: unknown } }>(kind).values())
      if (entry.config?.scopes !== undefined) return true;
    return false;
  });
  return state.scoped;
}

/** Distinct refused Host/Origin values logged per handler (then silence: a scan cannot flood the log). */
const REFUSALS_LOGGED = 20;

/** Reported once per handler: callers the authenticator admitted but did not name are one caller. */
const IDENTITYLESS =
  "An authenticated caller's auth info names neither subject nor clientId: its legacy sessions, tasks " +
  "and requestState are bound to no one (it counts as anonymous), so other such callers can use them. " +
  "Return a subject or clientId from the authenticator.";

function refusalLine(refusal: Refusal): string {
  const option = refusal.header === "host" ? "allowedHosts" : "allowedOrigins";
  const name = refusal.header === "host" ? "Host" : "Origin";
  return `refused a request with ${name} ${JSON.stringify(refusal.value.slice(0, 200))}: if it is yours, add it to the ${option} option of createHandler`;
}

/**
 * The default `onError`: a notice of Portico's own (a configuration or usage problem, a
 * `PorticoError`) is one line saying what to do; anything else is logged whole, with its stack.
 */
function defaultReport(error: unknown, where: string): void {
  if (isInstance(error, PorticoError)) console.error(`[portico] ${where}: ${error.message} (${error.code})`);
  else console.error(`[portico] ${where}:`, error);
}

/**
 * `onError` as the handler calls it: what the reporter throws, or the promise it returns rejects
 * with, is dropped. Nothing more can be done with it (reporting it would recurse), and a request
 * must not go unanswered, nor the process crash, because its error could not be reported.
 */
function guarded(onError: ErrorReporter): ErrorReporter {
  return (error, where, call) => {
    try {
      const returned: unknown = onError(error, where, call);
      if (returned instanceof Promise) returned.catch(() => {});
    } catch {}
  };
}

/**
 * Runs `work` inside `scopes[i…]` (outermost first). A scope that resolves without having run it,
 * runs it twice, or resolves no response is a broken middleware: the request fails (500, reported)
 * rather than be answered by what the scope made up or served twice. It may answer a response of
 * its own around the one `run` gave (instrumentation following a stream's body).
 */
function scoped(
  scopes: readonly RequestScope[],
  i: number,
  request: Request,
  host: ExecutionContextLike,
  work: () => Promise<Response>,
): Promise<Response> {
  if (i === scopes.length) return work();
  let ran: Promise<Response> | undefined;
  const run = () => {
    if (ran !== undefined)
      return Promise.reject(new PorticoError("scope_twice", "a middleware's scope ran its request twice"));
    ran = scoped(scopes, i + 1, request, host, work);
    return ran;
  };
  const returned = (scopes[i] as RequestScope)(request, run, host);
  // The scope handed back the very promise `run` gave: nothing to check, nothing to wait for more.
  if (ran !== undefined && returned === ran) return ran;
  return checked(returned, () => ran);
}

/** What a scope resolved, once it proved to be a response and its request ran (see `scoped`). */
async function checked(
  returned: Promise<Response>,
  ran: () => Promise<Response> | undefined,
): Promise<Response> {
  const response: unknown = await returned;
  const request = ran();
  if (request === undefined) {
    throw new PorticoError("scope_answer", "a middleware's scope must run its request (call run once)");
  }
  await request; // its failure is the request's, whatever the scope did with it
  if (!isResponse(response)) {
    throw new PorticoError("scope_answer", "a middleware's scope must resolve a Response");
  }
  return response;
}

/**
 * Turns a server definition into a fetch handler (`{ fetch }`): the modern era, and the legacy one
 * when `legacy` is given (and `options.legacy` is not false). `modernStores` makes the stores used
 * when neither `options.stores` nor the legacy era gives them.
 */
export function serveEras(
  server: McpServer,
  options: HandlerOptions,
  legacy: LegacyEra | undefined,
  modernStores: () => Stores,
): McpHandler {
  checkOptions(options);
  const authenticator: Authenticator | undefined =
    options.auth ?? (options.authenticate && { authenticate: options.authenticate });
  server.install(SERVER);
  server.install(LOGGING);
  // The defaults (in memory) are made on first use: a plain call never needs them.
  const stores = timedStores(
    options.stores ?? (legacy ? lazyStores(legacy.defaultStores, true) : lazyStores(modernStores, false)),
    options.storeTimeoutMs ?? 10_000,
  );
  const report = guarded((options.onError ?? defaultReport) as ErrorReporter);
  const resolved = resolve(options);
  if (legacy === undefined) resolved.legacy = false;
  const rt: Runtime = {
    server,
    stores,
    options: resolved,
    report,
    streams: new SessionSlots(resolved.maxStreamsPerSession),
    replies: new SessionSlots(resolved.maxPendingReplies),
  };
  /** Open `subscriptions/listen` streams per caller on this instance (`maxListenStreamsPerCaller`). */
  const listeners = new SessionSlots(resolved.maxListenStreamsPerCaller);
  const checkOriginAndHost = originGuard({
    allowedHosts: options.allowedHosts ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
  });
  const unsubscribe = publishServerEvents(server, options.stores, (event) => {
    // Whatever the bus does — reject, or throw at once — a definition change is not undone by it.
    try {
      stores.bus.publish(topics.broadcast, event).catch((e) => report(e, "bus publish"));
    } catch (error) {
      report(error, "bus publish");
    }
  });

  /** The server middleware's request scopes (live: `server.use` after this adds to it). */
  const scopes = server.scopes;
  const refused = onceEach(REFUSALS_LOGGED);
  let identitylessSeen = false;

  async function handle(request: Request, env: unknown, host: ExecutionContextLike): Promise<Response> {
    const refusal = checkOriginAndHost(request, host.routedHosts);
    if (refusal) {
      if (refused(`${refusal.header}\n${refusal.value}`)) {
        report(notice(`${refusal.header}_not_allowed`, refusalLine(refusal)), "host check");
      }
      return refusal.response;
    }
    let auth: AuthInfo | undefined = host.authInfo;
    if (authenticator !== undefined) {
      const served = await authenticator.serve?.(request, host);
      if (served !== undefined) return served;
      const outcome = await authenticator.authenticate(request, host);
      if (isResponse(outcome)) return outcome;
      auth = outcome ?? auth;
    }
    if (
      auth !== undefined &&
      auth.subject === undefined &&
      auth.clientId === undefined &&
      !identitylessSeen
    ) {
      identitylessSeen = true;
      report(notice("auth_without_identity", IDENTITYLESS), "auth");
    }
    const incoming: Incoming = new IncomingRequest(request, env, host, auth);
    switch (request.method) {
      case "POST":
        return await post(incoming);
      case "GET":
        if (host.canStream === false) return cannotStream();
        if (legacy && rt.options.legacy && request.headers.has("mcp-session-id"))
          return legacy.get(rt, incoming);
        return httpError(
          405,
          ErrorCode.InvalidRequest,
          "Method Not Allowed: open notifications with POST subscriptions/listen",
          {
            headers: { allow: "POST" },
          },
        );
      case "DELETE":
        if (legacy && rt.options.legacy && request.headers.has("mcp-session-id"))
          return legacy.delete(rt, incoming);
        return httpError(405, ErrorCode.InvalidRequest, "Method Not Allowed", { headers: { allow: "POST" } });
      case "OPTIONS":
        // A plain OPTIONS: CORS preflights of admitted origins are answered in fetch, before auth.
        return bufferedResponse(null, 204, { allow: "GET, POST, DELETE, OPTIONS" });
      default:
        return httpError(405, ErrorCode.InvalidRequest, "Method Not Allowed", {
          headers: { allow: "GET, POST, DELETE" },
        });
    }
  }

  /**
   * The scope check of `message`: its method's `scopes`, or `undefined` when there is nothing to
   * check — no such method, or one of the definition families while no definition declares scopes.
   */
  function scopesOf(message: unknown, definitionsScoped: boolean): MethodSpec["scopes"] {
    if (typeof message !== "object" || message === null) return undefined;
    const method = (message as { method?: unknown }).method;
    if (typeof method !== "string") return undefined;
    const installed = server.method(method);
    if (installed === undefined) return undefined;
    if (!definitionsScoped && DEFINITION_METHODS.get(method) === installed.family.name) return undefined;
    return installed.spec.scopes;
  }

  /** The step-up answer when `message` targets a definition whose scopes the caller lacks. */
  function stepUp(incoming: Incoming, message: unknown, definitionsScoped: boolean): Response | undefined {
    const scopes = scopesOf(message, definitionsScoped);
    if (scopes === undefined) return undefined;
    const params = (message as { params?: unknown }).params;
    const required = scopes(
      typeof params === "object" && params !== null ? (params as McpParams) : {},
      server,
    );
    if (required === undefined || missingScopes(incoming.auth, required).length === 0) return undefined;
    return (
      authenticator?.insufficientScope?.(incoming.request, required, incoming.auth) ??
      defaultInsufficientScope(required)
    );
  }

  /**
   * The step-up answer when a message of `body` targets a definition whose scopes the caller
   * lacks. A batch is looked at whole before anything of it runs, so one with more than
   * `MAX_SCOPE_CHECKED` messages to check is refused (400) before any is checked.
   */
  function scopeCheck(incoming: Incoming, body: unknown): Response | undefined {
    const definitionsScoped = definitionsDeclareScopes(server);
    if (!Array.isArray(body)) return stepUp(incoming, body, definitionsScoped);
    let checked = 0;
    for (const message of body) if (scopesOf(message, definitionsScoped) !== undefined) checked++;
    if (checked > MAX_SCOPE_CHECKED) {
      return httpError(
        400,
        ErrorCode.InvalidRequest,
        `Invalid Request: a batch holds at most ${MAX_SCOPE_CHECKED} messages, this one ${body.length}`,
      );
    }
    if (checked === 0) return undefined;
    for (const message of body) {
      const refused = stepUp(incoming, message, definitionsScoped);
      if (refused !== undefined) return refused;
    }
    return undefined;
  }

  async function post(incoming: Incoming): Promise<Response> {
    const { request } = incoming;
    const rejected = checkPostAccept(request) ?? checkContentType(request);
    if (rejected) return rejected;
    const body = await readJsonBody(request, rt.options);
    if (isResponse(body)) return body;
    // The scope check runs after the checks that refuse a POST whatever it asks, so a body that
    // cannot run costs no scan.
    if (isModernMessage(request, body)) {
      if (!rt.options.modern)
        return httpError(
          400,
          ErrorCode.InvalidRequest,
          "This server only speaks the legacy era (initialize)",
        );
      const refused = scopeCheck(incoming, body);
      if (refused !== undefined) return refused;
      return await modernPost(rt, incoming, body, listeners);
    }
    if (Array.isArray(body) && isModernBatch(request, body)) {
      return httpError(
        400,
        ErrorCode.InvalidRequest,
        "Invalid Request: protocol 2026-07-28 has no batches; send each message in a request of its own",
      );
    }
    if (!legacy || !rt.options.legacy) {
      return httpError(
        400,
        ErrorCode.UnsupportedProtocolVersion,
        "This server only speaks protocol 2026-07-28",
        { data: { supported: ["2026-07-28"], requested: requestedVersion(request, body) } },
      );
    }
    // Without a session id a legacy POST is `initialize` (which needs no scope) or refused (400)
    // before any of it runs: nothing to check.
    const session = request.headers.get("mcp-session-id");
    if (session !== null && session !== "") {
      const refused = scopeCheck(incoming, body);
      if (refused !== undefined) return refused;
    }
    return await legacy.post(rt, incoming, body);
  }

  /**
   * A request's failure as the client gets it (500, or 503 for a store outage), reported: inside the
   * scopes, so that they see the answer the client gets.
   */
  const answered = (response: Promise<Response>): Promise<Response> =>
    response.catch((error: unknown) => {
      report(error, "handler");
      return failure(error);
    });

  return {
    async fetch(request, env, ctx) {
      const host = ctx ?? {};
      // CORS (http/cors.ts): a cross-origin Origin the Host/Origin check admits gets CORS headers on
      // every answer, the 500 below included. A request without Origin does no CORS work.
      let cors: string | undefined;
      try {
        const origin = request.headers.get("origin");
        if (origin !== null && checkOriginAndHost(request, host.routedHosts) === undefined)
          cors = corsOrigin(request, origin);
        // A preflight carries no credentials: it is answered here, before the authenticator.
        const preflight = cors === undefined ? undefined : corsPreflight(request, cors);
        const response =
          preflight ??
          withCors(
            await (scopes.length === 0
              ? handle(request, env, host)
              : scoped(scopes, 0, request, host, () => answered(handle(request, env, host)))),
            cors,
          );
        return host.bufferedResponses === true ? response : toRealResponse(response);
      } catch (error) {
        report(error, "handler");
        return toRealResponse(withCors(failure(error), cors));
      }
    },
    close: unsubscribe,
    acceptsBufferedRequests: true,
    runTask(job, env, ctx) {
      const tasks = tasksHook(server);
      if (tasks === undefined) {
        return Promise.reject(
          new PorticoError("tasks_not_enabled", "runTask: enableTasks(server) was not called"),
        );
      }
      return tasks.run(rt, job, ctx ?? {}, env);
    },
  };
}
