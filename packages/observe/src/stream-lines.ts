/**
 * How long a long-lived stream stayed open: a `subscriptions/listen` stream, or a legacy GET stream
 * (opened or resumed). The response's body is passed through unchanged (chunk for chunk, the
 * client's cancel reaching the server's stream as before) and counted; when it ends, `done` hears
 * for how long it was open, what it carried, and who ended it: the server (it closed the stream: a
 * limit, shutdown, the session's end) or the client (it went away).
 */

import type { StreamEnd } from "./instrument.ts";

/** What following a stream tells: `StreamEnd` without the request's kind and fields. */
export type Followed = Pick<StreamEnd, "durationMs" | "bytes" | "endedBy">;

/** Whether `request` opens a long-lived stream: a GET, or a `subscriptions/listen`. */
export function opensLongStream(request: Request): boolean {
  return request.method === "GET" || request.headers.get("mcp-method") === "subscriptions/listen";
}

/** `response` with its body followed to its end (`response` itself when it has none). */
export function followStream(response: Response, done: (end: Followed) => void): Response {
  const body = response.body;
  if (body === null) return response;
  const opened = performance.now();
  let bytes = 0;
  let ended = false;
  const finish = (endedBy: Followed["endedBy"]) => {
    if (ended) return;
    ended = true;
    done({ durationMs: performance.now() - opened, bytes, endedBy });
  };
  const counter = new TransformStream<Uint8Array | string, Uint8Array | string>({
    transform(chunk, controller) {
      bytes += typeof chunk === "string" ? chunk.length : chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  // The client cancelling the followed body errors the pipe, which cancels the server's stream.
  body.pipeTo(counter.writable).then(
    () => finish("server"),
    () => finish("client"),
  );
  return new Response(counter.readable as ReadableStream<Uint8Array>, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
