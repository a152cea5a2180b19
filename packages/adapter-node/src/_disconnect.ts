import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * A signal that aborts when the client goes away: the connection closes before `res` finished
 * (any time), or, without `res`, before the request body ended.
 */
export function disconnectSignal(req: IncomingMessage, res: ServerResponse | undefined): AbortSignal {
  const controller = new AbortController();
  const abort = (): void =>
    controller.abort(new DOMException("The client closed the connection", "AbortError"));
  if (res !== undefined) {
    if (res.destroyed && !res.writableFinished) abort();
    else res.once("close", () => res.writableFinished || abort());
  } else if (req.destroyed && !req.complete) {
    abort();
  } else {
    req.once("close", () => req.complete || abort());
  }
  return controller.signal;
}
