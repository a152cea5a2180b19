/**
 * The parts of Bun's API the adapter uses, declared structurally so that neither the package nor its
 * users need `bun-types` (the tests run the adapter in a real Bun).
 */

/** The server `Bun.serve` returns. */
export interface BunServer {
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
  fetch(request: Request): Promise<Response>;
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
