import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The most bytes of a request body dropped once nobody wants the rest: 8 MiB, twice the core's
 * default `maxBodyBytes` (4 MB), so a body of a size the app could have taken, answered without
 * being read (a 401 before the body, say), leaves the connection usable for the next request. The
 * core reads (and drops) up to 32 MB of an over-limit body itself before it cancels it, so such a
 * body costs at most 32 MB + 8 MiB per request, not whatever the client keeps sending.
 */
export const DRAIN_CAP = 8 * 1024 * 1024;

/**
 * Reads and drops what is left of `req`'s body, so the answer reaches a client that is still
 * uploading and a kept-alive connection stays usable. Past `cap` bytes it stops reading: the
 * connection cannot be reused, so it is closed once `res` (the answer) is out — with
 * `Connection: close` if its head is not written yet. Without `res` (a `toRequest()` of the app's
 * own), reading stops and Node's own timeouts end the connection.
 */
export function dropRest(req: IncomingMessage, res: ServerResponse | undefined, cap = DRAIN_CAP): void {
  if (req.readableEnded || req.destroyed) return;
  let dropped = 0;
  const detach = (): void => {
    req.off("data", onData);
    req.off("end", detach);
    req.off("close", detach);
  };
  const onData = (chunk: Buffer | string): void => {
    dropped += chunk.length;
    if (dropped <= cap) return;
    detach();
    req.pause();
    if (res !== undefined) closeAfter(req, res);
  };
  req.on("data", onData);
  req.on("end", detach);
  req.on("close", detach);
  req.resume();
}

/**
 * {@link dropRest} for a body nobody has read, whose length the request declared (`undefined`:
 * chunked). Once a response has finished, Node drops such a body itself, out of sight and without
 * end; so when `res` is already out and the body still arriving, one known to fit in the cap is left
 * to Node, and any other (larger, or of unknown length) closes the connection now.
 */
export function dropUnread(
  req: IncomingMessage,
  res: ServerResponse | undefined,
  declared: number | undefined,
): void {
  if (res?.writableFinished && !req.complete) {
    if (declared === undefined || declared > DRAIN_CAP) closeAfter(req, res);
    return;
  }
  dropRest(req, res);
}

/** Ends `req`'s connection once `res` has been handed to it (at once if it already was). */
function closeAfter(req: IncomingMessage, res: ServerResponse): void {
  // Tells the client, and makes Node close the connection after this answer.
  if (!res.headersSent) res.setHeader("connection", "close");
  const socket = req.socket;
  const close = (): void => {
    if (!socket.destroyed) socket.destroySoon();
  };
  if (res.writableFinished || res.destroyed) close();
  else res.once("close", close);
}
