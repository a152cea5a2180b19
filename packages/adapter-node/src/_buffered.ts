import type { ServerResponse } from "node:http";
import { type BufferedResponse, LightHeaders } from "@portico/host";
import { finished, writeSliced } from "./_write-wait.ts";

/** Bodies up to this many bytes are sent with one `end(body)`; larger ones go through {@link endWith}. */
const LARGE_BODY = 64 * 1024;

/**
 * `res.end(chunk)` of a small body (or none), watched only when its bytes could not all be handed to
 * the OS at once — the client is not reading, or an earlier pipelined answer is still ahead of it:
 * then a client that takes nothing for `stallMs` (0: no limit) is cut, so a connection never holds
 * unread answers for as long as it stays open. The usual answer, taken by the kernel at once, costs
 * no timer.
 */
function endSmall(res: ServerResponse, stallMs: number, chunk?: string | Uint8Array): void {
  if (chunk === undefined) res.end();
  else res.end(chunk);
  if (stallMs === 0 || res.writableFinished || res.destroyed) return;
  if (res.socket === null) {
    // Queued behind an earlier pipelined answer: watched from its turn, not while it waits for it
    // (a client reading a long pipeline slowly but steadily is not cut).
    res.once("socket", () => {
      if (!res.writableFinished && !res.destroyed) void finished(res, stallMs, () => {});
    });
    return;
  }
  if (res.socket.writableLength > 0) void finished(res, stallMs, () => {});
}

/**
 * `res.end(chunk)`, except that a large chunk is written first, slice by slice, and the response
 * ended only once it has left the process. Node counts a response as finished as soon as `end()` is
 * called, and `server.close()` / `closeIdleConnections()` destroy connections whose response is
 * finished, even one whose bytes still wait in the socket for a slow reader: a graceful shutdown
 * would cut it. A client that takes no slice for `stallMs` (0: no limit) is cut instead.
 * `sent` runs once the response is ended or the connection gone.
 */
export function endWith(
  res: ServerResponse,
  chunk: string | Uint8Array,
  stallMs: number,
  sent?: () => void,
): void {
  if (chunk.length <= LARGE_BODY) {
    endSmall(res, stallMs, chunk);
    sent?.();
    return;
  }
  void writeSliced(res, chunk, stallMs, true).then(() => {
    if (!res.destroyed && !res.writableEnded) res.end();
    sent?.();
  });
}

/**
 * Writes a buffered response (read with `readBufferedResponse` from `@portico/host`): one
 * `writeHead`, one `end`, with a Content-Length. Returns a promise only for a large body, settled once
 * it has left the process or the client was cut for taking nothing for `stallMs` (see
 * {@link endWith}); throws what `writeHead` throws (an invalid status or header), before anything
 * was sent.
 */
export function writeBuffered(
  res: ServerResponse,
  buffered: BufferedResponse,
  head: boolean,
  stallMs: number,
): Promise<void> | undefined {
  // A flat [name, value, …] list: the cheapest form `writeHead` takes.
  const headers: string[] = [];
  if (buffered.headers instanceof LightHeaders) {
    for (const [name, value] of buffered.headers) if (name !== "set-cookie") headers.push(name, value);
    for (const cookie of buffered.headers.getSetCookie()) headers.push("set-cookie", cookie);
  } else {
    for (const name in buffered.headers) headers.push(name, buffered.headers[name] as string);
  }
  const body = buffered.body ?? "";
  const status = buffered.status;
  // RFC 9110 §8.6: never in a 204; in a 304 only the selected representation's length (unknown here).
  if (status !== 204 && status !== 304) headers.push("content-length", String(Buffer.byteLength(body)));
  if (buffered.statusText) res.writeHead(status, buffered.statusText, headers);
  else res.writeHead(status, headers);
  if (head || body === "") endSmall(res, stallMs);
  else if (body.length <= LARGE_BODY) endSmall(res, stallMs, body);
  else return new Promise((resolve) => endWith(res, body, stallMs, resolve));
  return undefined;
}
