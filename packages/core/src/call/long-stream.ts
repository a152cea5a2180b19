/**
 * A long-lived SSE answer (the legacy GET stream, a resumed stream, `subscriptions/listen`): its
 * exchange, the subscriptions that feed it, and its end — the client leaving (its body cancelled, or
 * the request's signal aborted), the caller closing it, or the host's shutdown, deadline or
 * `maxStreamMs`, when `atLimit` writes its last words.
 */
import { droppedNotifications, Exchange, type ExchangeOptions } from "../http/exchange.ts";
import type { Subscription } from "../stores/types.ts";
import { type Incoming, type Runtime, whenToEnd } from "./runtime.ts";

/** How often a long-lived stream writes a comment when `keepAliveMs` is 0. */
export const LONG_STREAM_PROBE_MS = 60_000;

export class LongStream {
  readonly exchange: Exchange;
  ended = false;
  readonly #subs: Subscription[] = [];
  readonly #stop: () => void;
  readonly #rt: Runtime;

  constructor(
    rt: Runtime,
    incoming: Incoming,
    options: Pick<ExchangeOptions, "headers" | "persist" | "backlog">,
    atLimit: (exchange: Exchange) => Promise<void>,
  ) {
    this.#rt = rt;
    this.exchange = new Exchange({
      ...options,
      // Even with keep-alive comments off: some hosts (Workers) only notice a client that left on a
      // write, and until then the stream holds its slot and subscriptions.
      keepAliveMs: rt.options.keepAliveMs || LONG_STREAM_PROBE_MS,
      forceStream: true,
      onClientGone: () => this.close(),
    });
    const stopLimits = whenToEnd(rt, incoming, () => {
      if (this.ended) return;
      this.close();
      void atLimit(this.exchange).catch((e) => rt.report(e, "stream end"));
    });
    // The request's own signal says the client left where the host reports it there (Bun, Deno,
    // an in-process caller) rather than by cancelling the body: end the stream without last words.
    const request = incoming.request.signal;
    const onGone = (): void => {
      if (this.ended) return;
      this.close();
      void this.exchange.end().catch(() => {});
    };
    request.addEventListener("abort", onGone, { once: true });
    const stop = () => {
      stopLimits();
      request.removeEventListener("abort", onGone);
    };
    this.#stop = stop; // through a local: see onClientGone in call.ts
    if (request.aborted) onGone();
  }

  /** Keeps `sub` until the stream ends (drops it at once if it has). */
  add(sub: Subscription): void {
    if (this.ended) this.#drop(sub);
    else this.#subs.push(sub);
  }

  /** Stops everything that feeds the stream; the caller ends the exchange. */
  close(): void {
    const dropped = this.ended ? 0 : this.exchange.dropped;
    this.ended = true;
    this.#stop();
    for (const s of this.#subs.splice(0)) this.#drop(s);
    if (dropped > 0) this.#rt.report(droppedNotifications(dropped), "stream");
  }

  /**
   * For a stream that failed to open (a bus subscribe refused): stops what it already holds (its
   * subscriptions, its place, its limits) and ends its exchange, whose response is never returned
   * (which stops its keep-alive timer).
   */
  abandon(): void {
    this.close();
    void this.exchange.end().catch(() => {});
  }

  /** Unsubscribes `sub`; a store that fails to (it went down) is reported, never left unhandled. */
  #drop(sub: Subscription): void {
    sub.unsubscribe().catch((e) => this.#rt.report(e, "stream unsubscribe"));
  }
}
