import type { IncomingMessage, ServerResponse } from "node:http";
import { disconnectSignal } from "./_disconnect.ts";
import { NodeHeaders } from "./_node-headers.ts";
import { NodeRequest, nodeRequestInheritPlatform } from "./_node-request.ts";
import { isConsumed, parsedBody } from "./_request-body.ts";
import { requestHeaders } from "./_request-headers.ts";
import { normaliseOrigin, type OriginOptions, requestUrl } from "./_request-url.ts";

/** Options of {@link toRequest}. */
export interface ToRequestOptions extends OriginOptions {
  /**
   * The response paired with `req`. When given, `request.signal` aborts if the connection closes before
   * this response finished (client disconnect at any point). Without it, only a disconnect while the
   * request body is still arriving is noticed.
   */
  res?: ServerResponse;
}

/**
 * Converts a Node `IncomingMessage` into a Fetch `Request`: full URL (see `origin` / `trustProxy`), method,
 * headers (repeated fields joined, `set-cookie` kept apart), the body and a `signal` that aborts when the
 * client goes away.
 *
 * The result is a lightweight `Request` (it passes `instanceof Request`) that builds only what the app
 * touches: `text()` / `json()` / `arrayBuffer()` read the socket directly, `body` is a lazily pulled web
 * stream (nothing buffered, backpressure kept), and headers and signal are made on first access.
 *
 * If a framework already consumed the body (Express `express.json()`, `express.raw()`, `express.text()`,
 * Fastify parsers), it is rebuilt from `req.body`: bytes and strings as they are, anything else with
 * `JSON.stringify`. Key order and whitespace of the original JSON may therefore differ.
 *
 * @throws InvalidHostError when the Host (or trusted forwarded host) cannot form a URL.
 * @throws TypeError for methods Fetch forbids (CONNECT, TRACE, TRACK).
 */
export function toRequest(req: IncomingMessage, opts: ToRequestOptions = {}): Request {
  nodeRequestInheritPlatform();
  const normalised = opts.origin === undefined ? opts : { ...opts, origin: normaliseOrigin(opts.origin) };
  return convertRequest(req, normalised, opts.res);
}

/**
 * {@link toRequest} with the response apart from the options, so the adapter need not copy them;
 * `opts.origin`, if set, must already be normalised (`normaliseOrigin`). The lightweight request
 * passes `instanceof Request` only once `nodeRequestInheritPlatform()` ran (the adapter runs it for
 * apps that do not `acceptsBufferedRequests`).
 */
export function convertRequest(
  req: IncomingMessage,
  opts: OriginOptions,
  res: ServerResponse | undefined,
): Request {
  if (!isConsumed(req)) {
    const light = new NodeHeaders(req.rawHeaders, req.headers);
    return new NodeRequest(req, requestUrl(req, opts, light), light, res) as unknown as Request;
  }
  const url = requestUrl(req, opts);
  const headers = requestHeaders(req);
  // A framework already read the stream: a real Request over the body it left in `req.body`.
  const body = parsedBody(req, headers);
  return new Request(url, { method: req.method ?? "GET", headers, body, signal: disconnectSignal(req, res) });
}
