import type { ExecutionContextLike, FetchApp } from "@portico/host";
import { isBufferedRequest, toRealRequest } from "@portico/host";

/** A fetch app whose implementation can be replaced while it serves (a reload). */
export interface SwappableApp extends FetchApp {
  /** Serves `next` from the next request on. */
  swap(next: FetchApp): void;
}

/** A real `Request` for apps that did not declare `acceptsBufferedRequests` (routers, frameworks). */
function realRequest(request: Request): Request {
  if (isBufferedRequest(request)) return toRealRequest(request);
  if ((request as unknown) instanceof Request) return request;
  const init: RequestInit & { duplex?: "half" } = {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
  };
  if (request.body !== null) init.duplex = "half";
  return new Request(request.url, init);
}

/**
 * One app for the server's lifetime, forwarding to the current version: the port, the open
 * connections and the stores stay when the module is reloaded. Apps that do not accept buffered
 * requests get real ones.
 */
export function swappableApp(initial: FetchApp): SwappableApp {
  let current = initial;
  return {
    acceptsBufferedRequests: true,
    fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike) {
      const app = current;
      return app.fetch(app.acceptsBufferedRequests === true ? request : realRequest(request), env, ctx);
    },
    swap(next: FetchApp) {
      current = next;
    },
  };
}
