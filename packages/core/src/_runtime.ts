/** The resolved handler configuration every era module works with. */
import type { RequestStateSealer } from "./_request-state.ts";
import type { ErrorReporter } from "./_tool-call.ts";
import type { McpServer } from "./server.ts";
import type { Stores } from "./stores/types.ts";
import type { AuthInfo, ExecutionContextLike } from "./types.ts";

export interface ResolvedOptions {
  maxBodyBytes: number;
  keepAliveMs: number;
  sessionTtlMs: number;
  replyTimeoutMs: number;
  requestStateTtlMs: number;
  retryMs: number;
  maxStreamMs: number | undefined;
  deadlineMarginMs: number;
  cache: { ttlMs: number; scope: "public" | "private" };
  legacy: boolean;
  modern: boolean;
}

export interface Runtime {
  server: McpServer;
  stores: Stores;
  sealer: RequestStateSealer;
  options: ResolvedOptions;
  report: ErrorReporter;
}

/** Everything about one HTTP request an era module needs besides the body. */
export interface Incoming {
  request: Request;
  env: unknown;
  host: ExecutionContextLike;
  auth: AuthInfo | undefined;
}

/** An AbortSignal that fires on the request's own signal, the host's deadline (minus a margin) and `extra`. */
export function requestSignal(
  rt: Runtime,
  incoming: Incoming,
  extra: AbortSignal[] = [],
  followRequest = true,
): AbortSignal {
  const signals = followRequest ? [incoming.request.signal, ...extra] : [...extra];
  const deadline = incoming.host.deadline;
  if (deadline !== undefined) {
    signals.push(AbortSignal.timeout(Math.max(0, deadline - Date.now() - rt.options.deadlineMarginMs)));
  }
  if (signals.length === 0) return new AbortController().signal;
  return signals.length === 1 ? (signals[0] as AbortSignal) : AbortSignal.any(signals);
}

export function waitUntilOf(incoming: Incoming): (promise: Promise<unknown>) => void {
  return (promise) => {
    const guarded = promise.catch(() => {});
    incoming.host.waitUntil?.(guarded);
  };
}
