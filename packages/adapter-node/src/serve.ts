import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createTracker,
  type FetchApp,
  isTimerMs,
  listenError,
  listenPort,
  shutdownReason,
  timerRange,
} from "@portico/host";
import { type NodeHandlerOptions, toNodeHandler } from "./to-node-handler.ts";

/** Where the server listens, as given to `onListen`. */
export interface ListenInfo {
  /** e.g. `http://127.0.0.1:3000`, with the real port when 0 was asked for. */
  url: string;
  port: number;
  hostname: string;
}

/**
 * Options of {@link serve}. The handler options (`origin`, `trustProxy`, `env`, `onError`,
 * `writeStallTimeoutMs`) apply too.
 */
export interface ServeOptions extends Omit<NodeHandlerOptions, "signal" | "waitUntil"> {
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
  /**
   * Close gracefully on SIGINT / SIGTERM; a second signal (more than {@link REPEATED_SIGNAL_MS} later)
   * then terminates as usual. Default: false. The copy of Ctrl-C that `node --watch` passes on to
   * its child, at the same moment as the terminal's, does not count as a second.
   */
  handleSignals?: boolean;
  /**
   * Runs once the server has closed (by `close()`, a signal or `signal`), before `close()` resolves:
   * close what the app holds (stores, clients) here. If it throws, `close()` rejects with it; after
   * a signal it is written to stderr and the exit code set to 1.
   */
  onClose?: () => void | Promise<void>;
}

/**
 * A signal this soon after the first is the same request to stop: `node --watch` passes the
 * terminal's Ctrl-C on to its child, which the terminal signalled too.
 */
export const REPEATED_SIGNAL_MS = 500;

/** A running server. */
export interface Server extends ListenInfo {
  /** The underlying node:http server. */
  server: HttpServer;
  /**
   * Graceful shutdown: stops accepting connections, closes idle keep-alive sockets, aborts `ctx.signal`
   * so handlers can wrap up (SSE streams end with a retry hint), waits for in-flight responses and
   * `waitUntil` promises up to `gracefulTimeoutMs`, then destroys the remaining sockets.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void>;
}

/** `gracefulTimeoutMs` checked: `close()` waits it out with a timer, which keeps at most 2^31−1 ms. */
function resolveGracefulTimeout(value: number | undefined): number {
  if (value === undefined) return 10_000;
  if (!isTimerMs(value, 0)) {
    throw new RangeError(`gracefulTimeoutMs must be ${timerRange(0)}, got ${String(value)}`);
  }
  return value;
}

function listen(server: HttpServer, port: number, hostname: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => reject(listenError(error, port, hostname));
    server.once("error", fail);
    server.listen(port, hostname, () => {
      server.off("error", fail);
      resolve(server.address() as AddressInfo);
    });
  });
}

function handlerOptions(opts: ServeOptions): NodeHandlerOptions {
  const out: NodeHandlerOptions = {};
  if (opts.origin !== undefined) out.origin = opts.origin;
  if (opts.trustProxy !== undefined) out.trustProxy = opts.trustProxy;
  if (opts.env !== undefined) out.env = opts.env;
  if (opts.onError !== undefined) out.onError = opts.onError;
  if (opts.writeStallTimeoutMs !== undefined) out.writeStallTimeoutMs = opts.writeStallTimeoutMs;
  return out;
}

/**
 * Serves a Fetch app on node:http. Resolves once listening, with the real URL and port and a
 * graceful `close()`.
 */
export async function serve(app: FetchApp, opts: ServeOptions = {}): Promise<Server> {
  const port = listenPort(opts.port, process.env.PORT);
  const hostname = opts.hostname ?? "127.0.0.1";
  const gracefulTimeoutMs = resolveGracefulTimeout(opts.gracefulTimeoutMs);
  const shutdown = new AbortController();
  const inFlight = createTracker();
  const handler = toNodeHandler(app, {
    ...handlerOptions(opts),
    signal: shutdown.signal,
    waitUntil: (promise) => inFlight.add(promise),
  });

  const server = createServer((req, res) => {
    // A request that arrives on a kept-alive socket during shutdown is served, then the socket closes.
    if (shutdown.signal.aborted) res.setHeader("connection", "close");
    inFlight.add(handler(req, res));
  });
  const address = await listen(server, port, hostname);
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const info: ListenInfo = {
    url: `http://${host}:${address.port}`,
    port: address.port,
    hostname: address.address,
  };

  let signalledAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalledAt === undefined) {
      signalledAt = Date.now();
      close().catch((error: unknown) => {
        console.error("[portico] closing the server failed:", error);
        process.exitCode = 1;
      });
    } else if (Date.now() - signalledAt > REPEATED_SIGNAL_MS) {
      // A second request to stop: terminate as the signal would without a listener.
      detachSignals();
      process.kill(process.pid, signal);
    }
  };
  const onAbort = (): void => {
    close().catch((error: unknown) => console.error("[portico] closing the server failed:", error));
  };
  const detachSignals = (): void => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    opts.signal?.removeEventListener("abort", onAbort);
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Signals stay heard while closing (see handleSignals); the abort listener goes.
      opts.signal?.removeEventListener("abort", onAbort);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight calls get the grace period (minus the core's margin) to answer.
      shutdown.abort(shutdownReason(Date.now() + gracefulTimeoutMs));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, gracefulTimeoutMs);
      });
      await Promise.race([inFlight.settled(), timedOut]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
      try {
        await opts.onClose?.();
      } finally {
        detachSignals();
      }
    })();
    return closing;
  };

  if (opts.handleSignals === true) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  if (opts.signal !== undefined) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener("abort", onAbort, { once: true });
  }
  opts.onListen?.(info);
  return { ...info, server, close };
}
