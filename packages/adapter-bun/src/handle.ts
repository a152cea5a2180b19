import {
  consoleErrorReporter,
  type ExecutionContextLike,
  type FetchApp,
  guardedWaitUntil,
  hostErrorResponse,
  toRealResponse,
} from "@portico/host";
import type { BunRequestIP } from "./_bun.ts";

/** Options of {@link handle}. */
export interface BunHandlerOptions {
  /** Passed to `app.fetch` as its second argument. */
  env?: unknown;
  /**
   * Exposed to the app as `ctx.signal`: abort it to ask handlers to wrap up (graceful shutdown).
   * `serve()` passes its shutdown signal here.
   */
  signal?: AbortSignal;
  /**
   * Receives every `ctx.waitUntil` promise, already guarded (rejections go to `onError`). Bun has no
   * `waitUntil` of its own; `serve()` uses this to let `close()` wait for them. Default: none.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Told about app errors and rejected `waitUntil` promises. Default: `console.error`. */
  onError?: (error: unknown) => void;
  /**
   * Your `Bun.serve({ idleTimeout })` in seconds (default 10, Bun's). The connection's idle timeout
   * is off while the app works on a request (a slow tool call sends nothing until it is done) and
   * while an SSE answer streams; it is set back to this once a non-stream answer is ready, so an
   * idle keep-alive connection still closes. A whole number from 0 (none) to 255, the most
   * `Bun.serve` takes; anything else throws a `TypeError` here.
   */
  idleTimeout?: number;
}

/**
 * The `fetch` of `Bun.serve({ fetch })` (and of a default-exported `{ fetch }`). Bun passes its
 * server as the second argument, where the caller's address comes from.
 */
export type BunFetchHandler = (request: Request, server?: BunRequestIP) => Promise<Response>;

const defaultOnError = consoleErrorReporter("@portico/adapter-bun");

/** The longest `idleTimeout` `Bun.serve` takes, in seconds ("expects idleTimeout to be 255 or less"). */
const MAX_IDLE_TIMEOUT_S = 255;

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

/** An IPv4 address in IPv4-mapped IPv6 form (`::ffff:192.0.2.1`), as a dual-stack listener may see it. */
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The peer of the request's connection, as Bun's server saw it: `server.requestIP(request)?.address`
 * (https://bun.sh/reference/bun/Server, `requestIP`). No header is read: behind a reverse proxy,
 * every caller has the proxy's address. `undefined` without a server (a direct call) or an address.
 */
function requestAddress(request: Request, server: BunRequestIP | undefined): string | undefined {
  if (typeof server?.requestIP !== "function") return undefined;
  let address: unknown;
  try {
    address = server.requestIP(request)?.address;
  } catch {
    return undefined; // not a request this server received
  }
  if (typeof address !== "string" || address === "") return undefined;
  return IPV4_MAPPED.exec(address)?.[1] ?? address;
}

/**
 * Sets Bun's idle timeout (seconds, 0: none) of the connection serving `request`. `Bun.serve` closes
 * a connection idle for `idleTimeout` seconds (default 10), and "a quiet SSE stream counts as idle"
 * (https://bun.sh/guides/http/sse, which calls `server.timeout(req, 0)`): Portico's keep-alives come
 * every 15 s, and a long tool call answered with JSON sends nothing until it is done.
 */
function connectionTimeout(request: Request, server: BunRequestIP | undefined, seconds: number): void {
  if (typeof server?.timeout !== "function") return;
  try {
    server.timeout(request, seconds);
  } catch {
    // not a request this server received
  }
}

/** Whether an answer streams for as long as the server likes (SSE): its connection stays without timeout. */
function streams(response: Response): boolean {
  return response.headers.get("content-type")?.startsWith("text/event-stream") === true;
}

/** The app's `ctx`; the request id (a UUID unless the client sent one) is made on first read. */
class BunContext implements ExecutionContextLike {
  readonly waitUntil: (promise: Promise<unknown>) => void;
  signal?: AbortSignal;
  clientAddress?: string;
  readonly #request: Request;
  #requestId: string | undefined;

  constructor(request: Request, waitUntil: (promise: Promise<unknown>) => void) {
    this.#request = request;
    this.waitUntil = waitUntil;
  }

  get requestId(): string {
    if (this.#requestId === undefined) {
      const header = this.#request.headers.get("x-request-id");
      this.#requestId = header !== null && REQUEST_ID.test(header) ? header : crypto.randomUUID();
    }
    return this.#requestId;
  }
}

/** Also a Response of another realm or fetch implementation. */
function isResponse(value: unknown): value is Response {
  return value instanceof Response || typeof (value as Response | null)?.headers?.get === "function";
}

/**
 * A Bun fetch handler for a Fetch app (a Portico handler, a Hono app, a fetch router):
 * `Bun.serve({ fetch: handle(app) })` or `export default { fetch: handle(app) }`. Bun speaks Fetch
 * already, so the request goes to `app.fetch(request, opts.env, ctx)` untouched (its `signal` aborts
 * when the client leaves) and the response comes back as a real `Response`. `ctx` carries
 * `waitUntil` (guarded; handed to `opts.waitUntil`), `requestId` (`X-Request-Id` if present and
 * printable, else a random UUID), `clientAddress` (`server.requestIP(request)`, from the server Bun
 * passes as the second argument) and `signal` (`opts.signal`). The connection's idle timeout is
 * off while the app works (`server.timeout(request, 0)`) and while an SSE answer streams, so quiet
 * streams and slow answers outlive `Bun.serve`'s `idleTimeout`; it is set back (`opts.idleTimeout`)
 * once a non-stream answer is ready. An app that throws or returns
 * something that is not a `Response` gets a 500 with a JSON-RPC error body and no detail.
 */
export function handle(app: FetchApp, opts: BunHandlerOptions = {}): BunFetchHandler {
  const onError = opts.onError ?? defaultOnError;
  const waitUntil = guardedWaitUntil(opts.waitUntil, onError);
  const { env, signal } = opts;
  const idleTimeout = opts.idleTimeout ?? 10;
  if (!(Number.isInteger(idleTimeout) && idleTimeout >= 0 && idleTimeout <= MAX_IDLE_TIMEOUT_S)) {
    throw new TypeError(
      `idleTimeout must be a whole number of seconds from 0 to ${MAX_IDLE_TIMEOUT_S} (Bun.serve's limit), not ${String(idleTimeout)}`,
    );
  }
  return async (request, server) => {
    const ctx = new BunContext(request, waitUntil);
    if (signal !== undefined) ctx.signal = signal;
    // Read at once: the connection's peer is only known while the request is open.
    const address = requestAddress(request, server);
    if (address !== undefined) ctx.clientAddress = address;
    connectionTimeout(request, server, 0);
    let answer: Response;
    try {
      const response: unknown = await app.fetch(request, env, ctx);
      if (!isResponse(response)) throw new TypeError("the app did not return a Response");
      // Bun needs a real Response; a buffered one (from an app that asked for them) becomes one.
      answer = toRealResponse(response);
    } catch (error) {
      // An app giving up because the client left is not worth a log line.
      if (!request.signal.aborted) onError(error);
      answer = hostErrorResponse(500);
    }
    if (!streams(answer)) connectionTimeout(request, server, idleTimeout);
    return answer;
  };
}
