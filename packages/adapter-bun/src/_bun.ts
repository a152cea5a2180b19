/**
 * The parts of Bun's API the adapter uses, declared structurally so that neither the package nor its
 * users need `bun-types` (the tests run the adapter in a real Bun).
 */

/** What `server.requestIP(request)` answers: the peer of the request's connection. */
export interface BunSocketAddress {
  /** "The IP address of the client" (https://bun.sh/reference/globals/bun/SocketAddress). */
  readonly address: string;
  readonly family?: string;
  readonly port?: number;
}

/** The part of Bun's server a fetch handler uses: the caller's address, the connection's idle timeout. */
export interface BunRequestIP {
  /**
   * The client's address and port for a request this server is serving, or `null` (a Unix socket, a
   * request it did not receive): `Server.requestIP` (https://bun.sh/reference/bun/Server).
   */
  requestIP(request: Request): BunSocketAddress | null;
  /**
   * Sets the idle timeout (seconds, 0 = none) of the connection serving `request`
   * (https://bun.sh/reference/bun/Server, `timeout`). Optional: older Bun versions lack it.
   */
  timeout?(request: Request, seconds: number): void;
}

/** The server `Bun.serve` returns. */
export interface BunServer extends BunRequestIP {
  readonly port: number;
  readonly hostname: string;
  /**
   * Stops listening. With `false`, resolves once the requests in flight (streamed bodies included)
   * are done; with `true`, closes every connection at once.
   */
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** The options of `Bun.serve` that `serve()` sets. */
export interface BunServeConfig {
  port: number;
  hostname: string;
  /** Seconds a connection may stay idle before Bun closes it (0: never). Bun's default: 10. */
  idleTimeout?: number;
  /** Bun passes the server as the second argument. */
  fetch(request: Request, server: BunRequestIP): Promise<Response>;
}

/** The `Bun` global. */
export interface BunGlobal {
  serve(config: BunServeConfig): BunServer;
}

/** The `Bun` global, or a clear error outside Bun. */
export function bunGlobal(): BunGlobal {
  const bun = (globalThis as { Bun?: Partial<BunGlobal> }).Bun;
  if (typeof bun?.serve !== "function") {
    throw new Error("serve() from @portico/adapter-bun needs the Bun runtime (the `Bun` global)");
  }
  return bun as BunGlobal;
}

/** `process` where there is one (Bun has it): the environment and signal listeners. */
export interface ProcessLike {
  env: Record<string, string | undefined>;
  once(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
  off(signal: "SIGINT" | "SIGTERM", listener: () => void): unknown;
}

export function processOf(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}
