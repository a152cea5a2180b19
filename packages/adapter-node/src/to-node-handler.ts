import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type ExecutionContextLike,
  type FetchApp,
  guardedWaitUntil,
  readBufferedResponse,
} from "@portico/host";
import { writeBuffered } from "./_buffered.ts";
import { clientAddressOf } from "./_client-address.ts";
import { defaultOnError, sendAdapterError } from "./_error-response.ts";
import { NodeRequest, nodeRequestInheritPlatform } from "./_node-request.ts";
import { InvalidHostError, normaliseOrigin, type OriginOptions } from "./_request-url.ts";
import { writeStallTimeout } from "./_write-wait.ts";
import { convertRequest } from "./to-request.ts";
import { writeResponse } from "./write-response.ts";

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions extends OriginOptions {
  /** Passed to `app.fetch` as its second argument. */
  env?: unknown;
  /**
   * Exposed to the app as `ctx.signal`: abort it to ask handlers to wrap up (graceful shutdown).
   * `serve()` passes its shutdown signal here.
   */
  signal?: AbortSignal;
  /**
   * Receives every `ctx.waitUntil` promise (already guarded: rejections go to `onError`), e.g. to keep
   * a process alive until they settle. `serve()` uses it to let `close()` wait for them. Default: none.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** Told about app errors and rejected `waitUntil` promises. Default: `console.error`. */
  onError?: (error: unknown) => void;
  /**
   * How long a response may wait for a client that takes none of the bytes written to it (it
   * stopped reading but keeps the connection open); then the body is cancelled and the connection
   * destroyed, releasing what it holds. Any progress starts the wait anew: large bodies go out in
   * 64 KiB slices, so a slow reader is not cut. Default 60 000 ms; 0 waits forever. Throws a
   * `RangeError` here for anything but a number from 0 to 2^31−1 ms (2147483647, about 24.8 days:
   * the longest a timer waits).
   */
  writeStallTimeoutMs?: number;
}

/** A request listener for node:http, and a middleware for Express / Connect (`next` is never called). */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

function requestIdOf(req: IncomingMessage): string {
  const header = req.headers["x-request-id"];
  return typeof header === "string" && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * A body the app never touched would stay paused in the socket, stalling a kept-alive connection;
 * cancelling it drains and discards the rest.
 */
function discardUnreadBody(request: Request): void {
  if (request instanceof NodeRequest) {
    request.discardUnread();
    return;
  }
  const body = request.body;
  if (body !== null && !body.locked) body.cancel().catch(() => {});
}

/**
 * The app's `ctx`; the request id (a UUID unless the client sent one) is made on first read. The
 * client address is read at once: a socket forgets its peer once destroyed.
 */
class HostContext implements ExecutionContextLike {
  readonly waitUntil: (promise: Promise<unknown>) => void;
  readonly bufferedResponses = true;
  signal?: AbortSignal;
  clientAddress?: string;
  readonly #req: IncomingMessage;
  #requestId: string | undefined;

  constructor(req: IncomingMessage, waitUntil: (promise: Promise<unknown>) => void, trustProxy: boolean) {
    this.#req = req;
    this.waitUntil = waitUntil;
    const address = clientAddressOf(req, trustProxy);
    if (address !== undefined) this.clientAddress = address;
  }

  get requestId(): string {
    this.#requestId ??= requestIdOf(this.#req);
    return this.#requestId;
  }
}

/**
 * Turns a Fetch app into a Node request handler: `createServer(toNodeHandler(app))`,
 * `expressApp.all("/mcp", toNodeHandler(app))`, or from a hijacked Fastify reply (see README).
 *
 * The app receives `ctx` with `waitUntil`, `signal` (when `opts.signal` is set), `requestId`
 * (`X-Request-Id` if present and printable, else a random UUID), `clientAddress` (the TCP peer; with
 * `trustProxy`, the last `X-Forwarded-For` entry, which your proxy appended) and
 * `bufferedResponses: true` (a Portico handler may answer with a buffered response, written in one
 * go). The returned promise settles once the response is fully written (a small buffered one: handed
 * to the socket) or the client has left; it never rejects: app errors become a 500 with a JSON-RPC
 * error body and no details, a malformed Host or method a 400. A client that takes none of its
 * response for `writeStallTimeoutMs` (60 s) is cut.
 */
export function toNodeHandler(app: FetchApp, opts: NodeHandlerOptions = {}): NodeHandler {
  const onError = opts.onError ?? defaultOnError;
  const stallMs = writeStallTimeout(opts.writeStallTimeoutMs);
  const origin: OriginOptions = {};
  if (opts.origin !== undefined) origin.origin = normaliseOrigin(opts.origin);
  if (opts.trustProxy !== undefined) origin.trustProxy = opts.trustProxy;
  const trustProxy = opts.trustProxy === true;
  const waitUntil = guardedWaitUntil(opts.waitUntil, onError);

  // Apps that may check `instanceof Request` get requests that pass it (this loads undici); a
  // Portico handler reads requests by their members only, and a cold start then never loads it.
  if (app.acceptsBufferedRequests !== true) nodeRequestInheritPlatform();
  const writeOptions = { onError, writeStallTimeoutMs: stallMs };
  return async (req, res) => {
    let request: Request;
    try {
      request = convertRequest(req, origin, res);
    } catch (error) {
      const clientFault = error instanceof InvalidHostError || error instanceof TypeError;
      if (!clientFault) onError(error);
      sendAdapterError(res, clientFault ? 400 : 500);
      return;
    }

    const ctx = new HostContext(req, waitUntil, trustProxy);
    if (opts.signal !== undefined) ctx.signal = opts.signal;

    let response: Response;
    try {
      response = await app.fetch(request, opts.env, ctx);
    } catch (error) {
      // An app giving up because the client left is not worth a log line.
      if (!request.signal.aborted) onError(error);
      sendAdapterError(res, 500);
      discardUnreadBody(request);
      return;
    }
    // A buffered Portico response is written in one go, without the general path's promise.
    const buffered = readBufferedResponse(response);
    if (buffered !== undefined) {
      if (!res.destroyed) {
        let sending: Promise<void> | undefined;
        try {
          sending = writeBuffered(res, buffered, req.method === "HEAD", stallMs);
        } catch (error) {
          // An invalid status or header: refused before anything went out.
          onError(error);
          sendAdapterError(res, 500);
        }
        if (sending !== undefined) await sending;
      }
    } else {
      await writeResponse(response, res, writeOptions);
    }
    discardUnreadBody(request);
  };
}
