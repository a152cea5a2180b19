/**
 * Forwarding a caller's call upstream: the handlers the proxy registers (tools, resources and
 * templates, prompts), each sending one upstream request with the caller's auth headers, the
 * timeout and its notifications relayed, the upstream's requests for input asked of the caller
 * (`input.ts`), and turning upstream failures into what the caller sees.
 */

import {
  type GetPromptResult,
  type HandlerContext,
  type LogLevel,
  McpError,
  type ReadResourceResult,
  type StructuredToolResult,
} from "@portico/core";
import type { UpstreamClient } from "./client.ts";
import { publicMessage, UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import {
  askCaller,
  InputRoundsExceeded,
  inputCapabilities,
  MAX_INPUT_ROUNDS,
  withInputRounds,
} from "./input.ts";
import { type Json, str } from "./json.ts";
import type { RequestOptions } from "./rpc.ts";
import type { ProxyAuth, ProxyOptions } from "./types.ts";

/** One upstream request for a caller. */
export type ForwardCall = (
  method: string,
  params: Json,
  ctx: HandlerContext,
  extra?: Pick<RequestOptions, "paramHeaders">,
) => Promise<Json>;

export interface ForwardSettings {
  /** The proxy's options; `auth` is read at each call. */
  options: ProxyOptions;
  timeoutMs: number;
  /** Relay the upstream's progress and log notifications to the caller. */
  notifications: boolean;
}

/**
 * Upstream requests for callers: their auth headers, the timeout, notifications forwarded, and the
 * upstream's requests for input (either era) asked of the caller.
 */
export function forwarder(client: UpstreamClient, settings: ForwardSettings): ForwardCall {
  const { options, timeoutMs, notifications } = settings;
  return async (method, params, ctx, extra = {}) => {
    const headers = await callerHeaders(options.auth, ctx);
    /** The legacy upstream's requests for input in this call (a modern one's are rounds). */
    let asks = 0;
    const relay = notifications ? new NotificationRelay(ctx) : undefined;
    const base: RequestOptions = {
      ...extra,
      headers,
      onNotification: relay?.notify,
      clientCapabilities: inputCapabilities(ctx),
      onRequest: (request: { method: string; params: Json }) => {
        // As many as a modern upstream's `input_required` rounds: then the call fails.
        if (request.method !== "ping" && ++asks > MAX_INPUT_ROUNDS) {
          return Promise.reject(new InputRoundsExceeded());
        }
        return askCaller(request, ctx);
      },
    };
    // One timeout per upstream request: the time the caller takes to answer is not counted.
    try {
      return await withInputRounds(
        (sent) =>
          client.request(method, sent, {
            ...base,
            signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
          }),
        params,
        ctx,
      );
    } finally {
      // The latest progress goes out before the answer.
      if (relay?.busy) await relay.settled();
    }
  };
}

/**
 * The handler of an upstream tool: `x-mcp-header` arguments sent as `Mcp-Param-*` headers, the
 * upstream's result as is, a transport failure as an error result.
 */
export function toolHandler(call: ForwardCall, remoteName: string, paramHeaders: Map<string, string>) {
  return async (args: Json, ctx: HandlerContext) => {
    const headers: Record<string, string> = {};
    for (const [header, arg] of paramHeaders) {
      const value = args[arg];
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
        headers[header] = String(value);
      }
    }
    try {
      const result = await call("tools/call", { name: remoteName, arguments: args }, ctx, {
        paramHeaders: headers,
      });
      // The upstream's result as is (its structured content was checked against its own schema).
      return result as unknown as StructuredToolResult<Json>;
    } catch (error) {
      if (error instanceof UpstreamTransportError && !ctx.signal.aborted) {
        ctx.logger.warn("proxy: upstream tools/call failed", {
          tool: remoteName,
          failure: error.kind,
          detail: error.message,
        });
        return { content: [{ type: "text" as const, text: publicMessage(error) }], isError: true as const };
      }
      if (error instanceof InputRoundsExceeded) {
        ctx.logger.warn("proxy: upstream tools/call failed", { tool: remoteName, detail: error.message });
        return { content: [{ type: "text" as const, text: error.message }], isError: true as const };
      }
      throw asMcpError(error, ctx, `tools/call ${remoteName}`);
    }
  };
}

/** Reads a resource (of a resource or a template) upstream. */
export function resourceReader(call: ForwardCall) {
  return async (uri: string, ctx: HandlerContext): Promise<ReadResourceResult> => {
    try {
      return (await call("resources/read", { uri }, ctx)) as unknown as ReadResourceResult;
    } catch (error) {
      throw asMcpError(error, ctx, `resources/read ${uri}`);
    }
  };
}

/** The get function of an upstream prompt. */
export function promptGetter(call: ForwardCall, remoteName: string) {
  return async (
    values: Record<string, string | undefined>,
    ctx: HandlerContext,
  ): Promise<GetPromptResult> => {
    try {
      return (await call(
        "prompts/get",
        { name: remoteName, arguments: values },
        ctx,
      )) as unknown as GetPromptResult;
    } catch (error) {
      throw asMcpError(error, ctx, `prompts/get ${remoteName}`);
    }
  };
}

async function callerHeaders(auth: ProxyAuth | undefined, ctx: HandlerContext): Promise<Headers | undefined> {
  if (auth === undefined) return undefined;
  if (auth === "forward") {
    const token = ctx.auth?.token;
    return token === undefined ? undefined : new Headers({ Authorization: `Bearer ${token}` });
  }
  const init = await auth(ctx);
  return init === undefined ? undefined : new Headers(init);
}

/**
 * The most log messages of one call waiting to be relayed to its caller (sent, not yet taken by a
 * caller who reads slower than the upstream writes); later ones are dropped until there is room.
 */
export const MAX_PENDING_LOGS = 1000;

/**
 * Passes the upstream's progress and log notifications of one call on to its caller, within
 * bounds: the upstream's answer is read as fast as it comes, so a caller reading slower would
 * otherwise get a queue as long as the upstream likes. One progress notification is relayed at a
 * time and only the latest one waits meanwhile (each carries the whole progress so far; it is sent
 * before the call's answer); at most {@link MAX_PENDING_LOGS} log messages wait, the rest are
 * dropped (the operator is told once per call).
 */
class NotificationRelay {
  readonly #ctx: HandlerContext;
  /** Whether a progress notification is being relayed. */
  #relaying = false;
  /** The latest progress notification that came meanwhile. */
  #latest: Json | undefined;
  /** Resolves `settled()` once no progress notification is being relayed. */
  #idle: (() => void) | undefined;
  #pendingLogs = 0;
  #dropped = false;

  constructor(ctx: HandlerContext) {
    this.#ctx = ctx;
  }

  /** Whether a progress notification is still being relayed. */
  get busy(): boolean {
    return this.#relaying;
  }

  /** Resolves once no progress notification is being relayed (nor waiting). */
  settled(): Promise<void> {
    if (!this.#relaying) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }

  readonly notify = ({ method, params }: { method: string; params: Json }): void => {
    if (method === "notifications/progress" && typeof params.progress === "number") {
      if (this.#relaying) this.#latest = params;
      else this.#progress(params);
    } else if (method === "notifications/message" && typeof params.level === "string") {
      if (this.#pendingLogs >= MAX_PENDING_LOGS) {
        if (!this.#dropped) {
          this.#dropped = true;
          this.#ctx.logger.warn(
            "proxy: the caller reads slower than the upstream logs; log messages dropped",
            {
              pending: MAX_PENDING_LOGS,
            },
          );
        }
        return;
      }
      this.#pendingLogs++;
      this.#ctx
        .log(params.level as LogLevel, params.data, str(params.logger))
        .catch(() => {})
        .then(this.#logged);
    }
  };

  readonly #logged = (): void => {
    this.#pendingLogs--;
  };

  #progress(params: Json): void {
    this.#relaying = true;
    this.#ctx
      .progress(
        params.progress as number,
        typeof params.total === "number" ? params.total : undefined,
        str(params.message),
      )
      .catch(() => {})
      .then(() => {
        const next = this.#latest;
        this.#latest = undefined;
        if (next !== undefined) {
          this.#progress(next);
          return;
        }
        this.#relaying = false;
        this.#idle?.();
        this.#idle = undefined;
      });
  }
}

/**
 * An upstream JSON-RPC error as the same `McpError`; a transport failure as a generic -32603 (the
 * detail goes to the operator's log). The caller's own cancellation is passed on as is.
 */
function asMcpError(error: unknown, ctx: HandlerContext, what: string): unknown {
  if (error instanceof UpstreamRpcError) return new McpError(error.code, error.message, error.data);
  if (error instanceof InputRoundsExceeded) {
    ctx.logger.warn(`proxy: upstream ${what} failed`, { detail: error.message });
    return new McpError(-32603, error.message);
  }
  if (error instanceof UpstreamTransportError) {
    ctx.logger.warn(`proxy: upstream ${what} failed`, { failure: error.kind, detail: error.message });
    return new McpError(-32603, publicMessage(error));
  }
  return error;
}
