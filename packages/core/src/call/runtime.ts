/** The resolved handler configuration every era module works with. */
import type { RequestStateSealer } from "../modern/request-state.ts";
import type { ErrorReporter } from "../methods/tool-call.ts";
import type { McpServer } from "../definition/server.ts";
import type { Stores } from "../stores/types.ts";
import type { AuthInfo, ExecutionContextLike } from "../definition/types.ts";

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

/**
 * The abort signal of one request's handler, made only when someone observes it (the handler reads
 * `ctx.signal`, reports progress, asks for input): a handler that never looks cannot react, so an
 * unobserved request costs no controller, listener or timer. Once observed it fires on an abort by
 * the core (cancellation, a closed stream), on the request's own signal while `followDisconnect()`
 * says so, and at the host's deadline minus the configured margin. `dispose()` ends the watch.
 */
export class RequestAbort {
  readonly #rt: Runtime;
  readonly #incoming: Incoming;
  readonly #followDisconnect: () => boolean;
  #controller: AbortController | undefined;
  #reason: unknown;
  #aborted = false;
  #disposed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(rt: Runtime, incoming: Incoming, followDisconnect: () => boolean = () => true) {
    this.#rt = rt;
    this.#incoming = incoming;
    this.#followDisconnect = followDisconnect;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      const controller = new AbortController();
      this.#controller = controller;
      if (this.#aborted) controller.abort(this.#reason);
      else if (!this.#disposed) this.#watch();
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.dispose();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #watch(): void {
    const request = this.#incoming.request.signal;
    const onDisconnect = (): void => {
      if (this.#followDisconnect()) this.abort(request.reason);
    };
    if (request.aborted) onDisconnect();
    else request.addEventListener("abort", onDisconnect, { once: true });
    const deadline = this.#incoming.host.deadline;
    if (deadline !== undefined && !this.#aborted) {
      const ms = Math.max(0, deadline - Date.now() - this.#rt.options.deadlineMarginMs);
      const timer = setTimeout(
        () => this.abort(new DOMException("The request reached its deadline", "TimeoutError")),
        ms,
      );
      // Node: a pending deadline must not keep the process alive on its own.
      (timer as { unref?: () => void }).unref?.();
      this.#timer = timer;
    }
  }
}

export function waitUntilOf(incoming: Incoming): (promise: Promise<unknown>) => void {
  return (promise) => {
    const guarded = promise.catch(() => {});
    incoming.host.waitUntil?.(guarded);
  };
}

/**
 * Calls `end` when a long-lived stream must end: on the host's shutdown signal, at its deadline
 * (minus the margin) or after `maxStreamMs`. Returns the function that stops watching.
 */
export function whenToEnd(rt: Runtime, incoming: Incoming, end: () => void): () => void {
  const signals: AbortSignal[] = [];
  if (incoming.host.signal) signals.push(incoming.host.signal);
  const limits = [
    rt.options.maxStreamMs,
    incoming.host.deadline ? incoming.host.deadline - Date.now() - rt.options.deadlineMarginMs : undefined,
  ].filter((v): v is number => v !== undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (limits.length > 0) timer = setTimeout(end, Math.max(0, Math.min(...limits)));
  const onAbort = () => end();
  for (const s of signals) s.addEventListener("abort", onAbort, { once: true });
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const s of signals) s.removeEventListener("abort", onAbort);
  };
}
