/** The abort signal of one call's handler. */
import { shutdownDeadline } from "@portico/host";
import { MAX_TIMER_MS } from "../util/timer.ts";
import type { Incoming, Runtime } from "./runtime.ts";

/**
 * The abort signal of one request's handler, made only when someone observes it (the handler reads
 * `ctx.signal`, reports progress, asks for input): a handler that never looks cannot react, so an
 * unobserved request costs no controller, listener or timer. Once observed it fires on an abort by
 * the core (cancellation, a closed stream), on the request's own signal while `followDisconnect()`
 * says so, on the host's shutdown signal, and at the host's deadline minus the configured margin.
 * `dispose()` ends the watch (and removes its listener from the host's long-lived signal).
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
  #unwatchHost: (() => void) | undefined;

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

  /** Whether it has fired (reading this makes no signal and starts no watch). */
  get aborted(): boolean {
    return this.#aborted || this.#controller?.signal.aborted === true;
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
    this.#unwatchHost?.();
    this.#unwatchHost = undefined;
  }

  #watch(): void {
    const request = this.#incoming.request.signal;
    const onDisconnect = (): void => {
      if (this.#followDisconnect()) this.abort(request.reason);
    };
    if (request.aborted) onDisconnect();
    else request.addEventListener("abort", onDisconnect, { once: true });
    const host = this.#incoming.host.signal;
    if (host !== undefined) {
      const onShutdown = (): void => {
        // Until the host's grace period ends (minus the margin), if it says when; else at once.
        const grace = shutdownDeadline(host.reason);
        const until = Math.min(grace ?? 0, this.#incoming.host.deadline ?? Number.POSITIVE_INFINITY);
        const ms = until - Date.now() - this.#rt.options.deadlineMarginMs;
        const stop = () => this.abort(new DOMException("The server is shutting down", "AbortError"));
        if (ms <= 0) {
          stop();
          return;
        }
        if (this.#timer !== undefined) clearTimeout(this.#timer);
        // A grace period beyond a timer's range arms nothing (armed, it would fire at once).
        this.#timer = ms <= MAX_TIMER_MS ? setTimeout(stop, ms) : undefined;
        (this.#timer as { unref?: () => void } | undefined)?.unref?.();
      };
      if (host.aborted) onShutdown();
      else {
        host.addEventListener("abort", onShutdown, { once: true });
        const unwatch = () => host.removeEventListener("abort", onShutdown);
        this.#unwatchHost = unwatch; // through a local: see onClientGone in call.ts
      }
    }
    const deadline = this.#incoming.host.deadline;
    if (deadline !== undefined && !this.#aborted) {
      const ms = Math.max(0, deadline - Date.now() - this.#rt.options.deadlineMarginMs);
      // A deadline beyond a timer's range (a stand-in context) arms nothing: armed, it would fire at once.
      if (ms > MAX_TIMER_MS) return;
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
