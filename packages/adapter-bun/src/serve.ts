import { createTracker, type FetchApp, isTimerMs, shutdownReason, timerRange } from "@portico/host";
import { type BunServeConfig, type BunServer, bunGlobal, processOf } from "./_bun.ts";
import { type BunHandlerOptions, handle } from "./handle.ts";

/** Where the server listens, as given to `onListen`. */
export interface ListenInfo {
  /** e.g. `http://127.0.0.1:3000`, with the real port when 0 was asked for. */
  url: string;
  port: number;
  hostname: string;
}

/**
 * Options of {@link serve}. The handler options `env`, `onError` and `idleTimeout` apply too:
 * `idleTimeout` goes to `Bun.serve` as well (so the two always agree), and an invalid one makes
 * `serve()` reject with a `TypeError`.
 */
export interface BunServeOptions extends Omit<BunHandlerOptions, "signal" | "waitUntil"> {
  /** Default: `process.env.PORT`, else 3000. 0 picks a free port. */
  port?: number;
  /** Default: "127.0.0.1" (loopback only). Use "0.0.0.0" or "::" to accept outside connections. */
  hostname?: string;
  /** Called once the server listens. */
  onListen?: (info: ListenInfo) => void;
  /**
   * How long `close()` waits for in-flight responses and `waitUntil` work. Default: 10 000 ms; 0
   * to 2^31−1 ms (about 24.8 days, the longest a timer waits), else `serve()` throws a `RangeError`.
   */
  gracefulTimeoutMs?: number;
  /** Aborting it closes the server gracefully, as `close()` does. */
  signal?: AbortSignal;
  /** Close gracefully on SIGINT / SIGTERM (a second signal then terminates as usual). Default: false. */
  handleSignals?: boolean;
}

/** A running server. */
export interface Server extends ListenInfo {
  /** The underlying `Bun.serve` server. */
  server: BunServer;
  /**
   * Graceful shutdown: stops listening, aborts `ctx.signal` so handlers can wrap up (SSE streams end
   * with a retry hint), waits for in-flight responses and `waitUntil` promises up to
   * `gracefulTimeoutMs`, then closes the remaining connections. Idempotent: every call returns the
   * same promise.
   */
  close(): Promise<void>;
}

function resolvePort(port: number | undefined): number {
  const fromEnv = processOf()?.env.PORT;
  const value = port ?? (fromEnv ? Number(fromEnv) : 3000);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new RangeError(`invalid port: ${String(port ?? fromEnv)}`);
  }
  return value;
}

/** `gracefulTimeoutMs` checked: `close()` waits it out with a timer, which keeps at most 2^31−1 ms. */
function resolveGracefulTimeout(value: number | undefined): number {
  if (value === undefined) return 10_000;
  if (!isTimerMs(value, 0)) {
    throw new RangeError(`gracefulTimeoutMs must be ${timerRange(0)}, got ${String(value)}`);
  }
  return value;
}

/**
 * Serves a Fetch app with `Bun.serve`. Resolves once listening, with the real URL and port and a
 * graceful `close()`. Bun only.
 */
export async function serve(app: FetchApp, opts: BunServeOptions = {}): Promise<Server> {
  const bun = bunGlobal();
  const port = resolvePort(opts.port);
  const hostname = opts.hostname ?? "127.0.0.1";
  const gracefulTimeoutMs = resolveGracefulTimeout(opts.gracefulTimeoutMs);
  const shutdown = new AbortController();
  const pending = createTracker();
  const handlerOptions: BunHandlerOptions = {
    signal: shutdown.signal,
    waitUntil: (promise) => pending.add(promise),
  };
  if (opts.env !== undefined) handlerOptions.env = opts.env;
  if (opts.onError !== undefined) handlerOptions.onError = opts.onError;
  if (opts.idleTimeout !== undefined) handlerOptions.idleTimeout = opts.idleTimeout;
  // handle() checks idleTimeout (a TypeError before Bun sees it); Bun.serve gets the same value, so
  // the timeout handle() sets back after a plain answer is Bun's own.
  const config: BunServeConfig = { port, hostname, fetch: handle(app, handlerOptions) };
  if (opts.idleTimeout !== undefined) config.idleTimeout = opts.idleTimeout;

  const server = bun.serve(config);
  const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
  const info: ListenInfo = {
    url: `http://${host}:${server.port}`,
    port: server.port,
    hostname: server.hostname,
  };

  const proc = processOf();
  const onSignal = (): void => {
    void close();
  };
  const detachSignals = (): void => {
    proc?.off("SIGINT", onSignal);
    proc?.off("SIGTERM", onSignal);
    opts.signal?.removeEventListener("abort", onSignal);
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      detachSignals();
      // Stops listening; resolves once the responses in flight (streams included) are done.
      const drained = server.stop(false);
      // In-flight calls get the grace period (minus the core's margin) to answer.
      shutdown.abort(shutdownReason(Date.now() + gracefulTimeoutMs));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, gracefulTimeoutMs);
      });
      await Promise.race([Promise.all([drained, pending.settled()]), timedOut]);
      clearTimeout(timer);
      await server.stop(true);
    })();
    return closing;
  };

  if (opts.handleSignals === true) {
    proc?.once("SIGINT", onSignal);
    proc?.once("SIGTERM", onSignal);
  }
  if (opts.signal !== undefined) {
    if (opts.signal.aborted) void close();
    else opts.signal.addEventListener("abort", onSignal, { once: true });
  }
  opts.onListen?.(info);
  return { ...info, server, close };
}
