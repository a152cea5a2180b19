/**
 * `createHandler(server, options)`: the fetch handler serving both MCP eras on one endpoint.
 */
import { cannotStream, httpError } from "./http/responses.ts";
import { legacyPost } from "./legacy/post.ts";
import { legacyDelete, legacyGet } from "./legacy/get.ts";
import { modernPost } from "./modern/post.ts";
import { isLegacyVersion, META } from "./jsonrpc/protocol.ts";
import { ephemeralSecret, RequestStateSealer } from "./modern/request-state.ts";
import type { Incoming, ResolvedOptions, Runtime } from "./call/runtime.ts";
import { topics } from "./legacy/session.ts";
import { checkContentType, checkPostAccept, originGuard, readBody } from "./http/validate.ts";
import { bufferedResponse, toRealResponse } from "@portico/host";
import { ErrorCode, isStoreUnavailable } from "./errors.ts";
import type { McpServer } from "./definition/server.ts";
import { memoryStores } from "./stores/memory.ts";
import type { Stores } from "./stores/types.ts";
import type { AuthInfo, ExecutionContextLike, FetchHandler } from "./definition/types.ts";

export interface HandlerOptions {
  /** Where legacy sessions, events and cross-instance messages live. Default: in memory (one instance). */
  stores?: Stores;
  /** Extra host names accepted in `Host` (localhost names always are). `["*"]` disables the check. */
  allowedHosts?: string[];
  /** Extra origins accepted in `Origin` (localhost origins always are). `["*"]` disables the check. */
  allowedOrigins?: string[];
  /** Largest accepted body in bytes (413 beyond). Default 4 MB. */
  maxBodyBytes?: number;
  /**
   * Secret sealing the MRTR `requestState` (HMAC-SHA-256). Give every instance the same one, from
   * configuration. Without it a random per-instance secret is used.
   */
  secret?: string | Uint8Array;
  /** Lifetime of a sealed `requestState`. Default 10 minutes. */
  requestStateTtlMs?: number;
  /** Idle lifetime of a legacy session. Default 1 hour. */
  sessionTtlMs?: number;
  /** SSE keep-alive comment interval. Default 15 s; 0 disables. */
  keepAliveMs?: number;
  /** How long a legacy server→client request waits for the reply. Default 5 minutes. */
  replyTimeoutMs?: number;
  /** `retry` hint sent when the server ends a stream. Default 1000 ms. */
  retryMs?: number;
  /** Long-lived streams end (with a retry hint) after this long. Default: never. */
  maxStreamMs?: number;
  /** Handlers' signals fire this long before the host's deadline. Default 1000 ms. */
  deadlineMarginMs?: number;
  /** Cache hints on modern list/read results. Default `{ ttlMs: 0, scope: "private" }`. */
  cache?: { ttlMs?: number; scope?: "public" | "private" };
  /** Serve the legacy era (initialize + sessions). Default true. */
  legacy?: boolean;
  /** Serve the modern era (2026-07-28). Default true. */
  modern?: boolean;
  /**
   * Authenticates a request before anything else: return auth info, `undefined` (anonymous) or a
   * `Response` to send instead (e.g. 401 with `WWW-Authenticate`).
   */
  authenticate?: (
    request: Request,
    ctx: ExecutionContextLike,
  ) => AuthInfo | Response | undefined | Promise<AuthInfo | Response | undefined>;
  /** Receives errors that are not sent to clients (tool crashes, store failures). Default: console.error. */
  onError?: (error: unknown, where: string) => void;
}

export interface McpHandler extends FetchHandler {
  /** Stops forwarding server events to the bus. */
  close(): void;
}

function resolve(options: HandlerOptions): ResolvedOptions {
  return {
    maxBodyBytes: options.maxBodyBytes ?? 4 * 1024 * 1024,
    keepAliveMs: options.keepAliveMs ?? 15_000,
    sessionTtlMs: options.sessionTtlMs ?? 60 * 60 * 1000,
    replyTimeoutMs: options.replyTimeoutMs ?? 5 * 60 * 1000,
    requestStateTtlMs: options.requestStateTtlMs ?? 10 * 60 * 1000,
    retryMs: options.retryMs ?? 1000,
    maxStreamMs: options.maxStreamMs,
    deadlineMarginMs: options.deadlineMarginMs ?? 1000,
    cache: { ttlMs: options.cache?.ttlMs ?? 0, scope: options.cache?.scope ?? "private" },
    legacy: options.legacy ?? true,
    modern: options.modern ?? true,
  };
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

/** Turns a server definition into a fetch handler (`{ fetch }`) serving both eras. */
/** The answer to an error nothing else handled: 503 + Retry-After for an unavailable store, else 500. */
function failure(error: unknown): Response {
  if (isStoreUnavailable(error)) {
    const seconds = Math.max(1, Math.ceil((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 1));
    return httpError(
      503,
      ErrorCode.InternalError,
      "Service Unavailable: session storage is unreachable, retry later",
      {
        headers: { "retry-after": String(seconds) },
      },
    );
  }
  return httpError(500, ErrorCode.InternalError, "Internal error");
}

export function createHandler(server: McpServer, options: HandlerOptions = {}): McpHandler {
  const stores = options.stores ?? memoryStores();
  const report =
    options.onError ?? ((error: unknown, where: string) => console.error(`[portico] ${where}:`, error));
  const rt: Runtime = {
    server,
    stores,
    sealer: new RequestStateSealer(options.secret ?? ephemeralSecret()),
    options: resolve(options),
    report,
  };
  const checkOriginAndHost = originGuard({
    allowedHosts: options.allowedHosts ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
  });
  const unsubscribe = server.subscribe((event) => {
    stores.bus.publish(topics.broadcast, event).catch((e) => report(e, "bus publish"));
  });

  async function handle(request: Request, env: unknown, host: ExecutionContextLike): Promise<Response> {
    const forbidden = checkOriginAndHost(request);
    if (forbidden) return forbidden;
    let auth: AuthInfo | undefined = host.authInfo;
    if (options.authenticate) {
      const outcome = await options.authenticate(request, host);
      if (outcome instanceof Response) return outcome;
      auth = outcome ?? auth;
    }
    const incoming: Incoming = { request, env, host, auth };
    switch (request.method) {
      case "POST":
        return await post(incoming);
      case "GET":
        if (host.canStream === false) return cannotStream();
        if (rt.options.legacy && request.headers.has("mcp-session-id")) return legacyGet(rt, incoming);
        return httpError(
          405,
          ErrorCode.InvalidRequest,
          "Method Not Allowed: open notifications with POST subscriptions/listen",
          {
            headers: { allow: "POST" },
          },
        );
      case "DELETE":
        if (rt.options.legacy && request.headers.has("mcp-session-id")) return legacyDelete(rt, incoming);
        return httpError(405, ErrorCode.InvalidRequest, "Method Not Allowed", { headers: { allow: "POST" } });
      case "OPTIONS":
        return bufferedResponse(null, 204, { allow: "GET, POST, DELETE, OPTIONS" });
      default:
        return httpError(405, ErrorCode.InvalidRequest, "Method Not Allowed", {
          headers: { allow: "GET, POST, DELETE" },
        });
    }
  }

  async function post(incoming: Incoming): Promise<Response> {
    const { request } = incoming;
    const rejected = checkPostAccept(request) ?? checkContentType(request);
    if (rejected) return rejected;
    const text = await readBody(request, rt.options.maxBodyBytes);
    if (text instanceof Response) return text;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return httpError(400, ErrorCode.ParseError, "Parse error: the body is not valid JSON");
    }
    if (isModernMessage(request, body)) {
      if (!rt.options.modern)
        return httpError(
          400,
          ErrorCode.InvalidRequest,
          "This server only speaks the legacy era (initialize)",
        );
      return await modernPost(rt, incoming, body);
    }
    if (!rt.options.legacy) {
      return httpError(
        400,
        ErrorCode.UnsupportedProtocolVersion,
        "This server only speaks protocol 2026-07-28",
        {
          data: { supported: ["2026-07-28"] },
        },
      );
    }
    return await legacyPost(rt, incoming, body);
  }

  return {
    async fetch(request, env, ctx) {
      try {
        const host = ctx ?? {};
        const response = await handle(request, env, host);
        return host.bufferedResponses === true ? response : toRealResponse(response);
      } catch (error) {
        report(error, "handler");
        return toRealResponse(failure(error));
      }
    },
    close: unsubscribe,
  };
}
