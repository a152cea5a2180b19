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
import { askCaller, InputRoundsExceeded, inputCapabilities, withInputRounds } from "./input.ts";
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
    const base: RequestOptions = {
      ...extra,
      headers,
      onNotification: notifications ? (n: { method: string; params: Json }) => relay(n, ctx) : undefined,
      clientCapabilities: inputCapabilities(ctx),
      onRequest: (request: { method: string; params: Json }) => askCaller(request, ctx),
    };
    // One timeout per upstream request: the time the caller takes to answer is not counted.
    return withInputRounds(
      (sent) =>
        client.request(method, sent, {
          ...base,
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
        }),
      params,
      ctx,
    );
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

/** Progress and log notifications of the upstream, passed on to the caller. */
function relay(notification: { method: string; params: Json }, ctx: HandlerContext): void {
  const { method, params } = notification;
  if (method === "notifications/progress" && typeof params.progress === "number") {
    void ctx
      .progress(
        params.progress,
        typeof params.total === "number" ? params.total : undefined,
        str(params.message),
      )
      .catch(() => {});
  } else if (method === "notifications/message" && typeof params.level === "string") {
    void ctx.log(params.level as LogLevel, params.data, str(params.logger)).catch(() => {});
  }
}

/**
 * An upstream JSON-RPC error as the same `McpError`; a transport failure as a generic -32603 (the
 * detail goes to the operator's log). The caller's own cancellation is passed on as is.
 */
function asMcpError(error: unknown, ctx: HandlerContext, what: string): unknown {
  if (error instanceof UpstreamRpcError) return new McpError(error.code, error.message, error.data);
  if (error instanceof InputRoundsExceeded) return new McpError(-32603, error.message);
  if (error instanceof UpstreamTransportError) {
    ctx.logger.warn(`proxy: upstream ${what} failed`, { failure: error.kind, detail: error.message });
    return new McpError(-32603, publicMessage(error));
  }
  return error;
}
