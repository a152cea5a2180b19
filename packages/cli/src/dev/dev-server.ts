import { randomBytes } from "node:crypto";
import { streamHandle } from "@portico/adapter-lambda";
import { installAwslambda, serveLambda } from "@portico/adapter-lambda/dev";
import { serve } from "@portico/adapter-node";
import type { HandlerOptions, Stores } from "@portico/core";
import { CliError } from "../_errors.ts";
import { type EntryApp, entryApp, type LoadedEntry, watchEntry } from "../load/entry.ts";
import { withRequestLog } from "./_request-log.ts";
import { swappableApp } from "./_swap.ts";

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** 0 picks a free port. */
  port: number;
  hostname: string;
  /** Serve through the Lambda adapter (`streamHandle`, Function URL events) on its dev server. */
  lambda?: boolean;
  exportName?: string;
  /** Request lines, reloads. */
  log: (line: string) => void;
  /** Build and load failures of a reload (the last good version keeps serving). */
  warn: (line: string) => void;
}

/** A running dev server. */
export interface DevServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  endpoint: string;
  /** The export served (`default`, `server`, …). */
  exportName: string;
  /**
   * Set when the server listens on an address other than 127.0.0.1 or ::1 (`--host 0.0.0.0`): the
   * Host check admits localhost names only, what to do for other names.
   */
  hostNote?: string;
  close(): Promise<void>;
}

/** A listen failure in one line, with the CLI's own advice. */
function listenFailure(error: unknown): never {
  // A port that is no port (the adapters' listenPort) is a usage mistake.
  if (error instanceof RangeError) throw new CliError(error.message, 2);
  const code = (error as { code?: unknown }).code;
  // The adapters' advice on choosing a port, told the CLI's way.
  if (typeof code === "string" && error instanceof Error)
    throw new CliError(
      error.message.replace(/\(PORT=… or (?:serve\(app, \{ port \}\)|--port N)\)/, "(--port N)"),
      1,
    );
  throw error;
}

/** The names the core's Host check admits without `allowedHosts`. */
const LOCAL_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The endpoint to print for the address the server listens on (`http://<address>:<port>`): for
 * every interface (0.0.0.0, ::) one the server answers, on the loopback (`0.0.0.0` is not an
 * address to call, and other names are refused by the Host check); and, for any address but the
 * loopback, a note saying how to serve other names.
 */
export function endpointFor(url: string): { endpoint: string; hostNote?: string } {
  const parsed = new URL(url);
  const listening = parsed.hostname;
  if (LOCAL_NAMES.has(listening)) return { endpoint: `${url}/mcp` };
  const wildcard = listening === "0.0.0.0" || listening === "[::]";
  if (wildcard) parsed.hostname = listening === "[::]" ? "[::1]" : "127.0.0.1";
  const where = wildcard ? `every interface (${listening})` : listening;
  return {
    endpoint: `${parsed.origin}/mcp`,
    hostNote: `listening on ${where}: the Host check admits localhost names only (other names get 403); to serve other names, set allowedHosts in your own createHandler and export that handler`,
  };
}

/**
 * Serves a tools module on 127.0.0.1 (Node adapter, or the Lambda adapter's dev server), reloading
 * it when it or a local import changes: the port stays, and so do the in-memory stores (legacy
 * sessions survive a reload) and the `requestState` secret (one per run, so MRTR round trips
 * survive it too).
 */
export async function startDevServer(entry: string, opts: DevServerOptions): Promise<DevServer> {
  const secret = randomBytes(32).toString("base64");
  let stores: Stores | undefined;
  const optionsFor = (loaded: LoadedEntry): HandlerOptions => {
    stores ??= loaded.core?.memoryStores();
    return stores === undefined ? { secret } : { secret, stores };
  };
  let current: EntryApp | undefined;
  const proxy = swappableApp({ fetch: () => Promise.reject(new Error("not loaded yet")) });
  const watched = await watchEntry(
    entry,
    opts.exportName === undefined ? {} : { exportName: opts.exportName },
    {
      onReload(loaded, ms) {
        let next: EntryApp;
        try {
          next = entryApp(loaded, optionsFor(loaded));
        } catch (error) {
          opts.warn(
            `${error instanceof Error ? error.message : String(error)} — still serving the last good version`,
          );
          return;
        }
        proxy.swap(next.app);
        current?.close();
        current = next;
        opts.log(`reloaded ${entry} (${ms} ms)`);
      },
      onError(message) {
        opts.warn(`${message} — still serving the last good version`);
      },
    },
  );
  // A change saved while the first version was loading may already have been swapped in.
  if (current === undefined) {
    try {
      current = entryApp(watched.first, optionsFor(watched.first));
    } catch (error) {
      await watched.close();
      throw error;
    }
    proxy.swap(current.app);
  }
  const logged = withRequestLog(proxy, opts.log);

  let url: string;
  let stop: () => Promise<void>;
  try {
    if (opts.lambda === true) {
      installAwslambda();
      const server = await serveLambda(streamHandle(logged), { port: opts.port, hostname: opts.hostname });
      url = server.url;
      stop = () => server.close();
    } else {
      const server = await serve(logged, {
        port: opts.port,
        hostname: opts.hostname,
        gracefulTimeoutMs: 1000,
      });
      url = server.url;
      stop = () => server.close();
    }
  } catch (error) {
    await watched.close();
    current.close();
    listenFailure(error);
  }
  return {
    ...endpointFor(url),
    exportName: watched.first.exportName,
    async close() {
      await watched.close();
      await stop();
      current?.close();
    },
  };
}
