/**
 * How long a long-lived stream stayed open: a `subscriptions/listen` stream, or a legacy GET stream
 * (opened or resumed). The response's body is passed through unchanged — chunk for chunk, pulled as
 * the client reads, the client's cancel reaching the server's stream as before — and counted; when
 * it ends, `done` hears for how long it was open, what it carried, and who ended it: the server (it
 * closed the stream — a limit, shutdown, the session's end — or the stream failed) or the client (it
 * went away).
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
  // Pulled chunk by chunk (nothing buffered ahead of the client): the client's cancel is this
  // stream's `cancel`, passed on to the server's stream; its end or failure is the server's doing.
  const reader = body.getReader();
  const followed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          finish("server");
          controller.error(error);
          return;
        }
        if (next.done) {
          finish("server");
          controller.close();
          return;
        }
        const chunk = next.value as Uint8Array | string;
        bytes += typeof chunk === "string" ? chunk.length : chunk.byteLength;
        controller.enqueue(next.value);
      },
      cancel(reason) {
        finish("client");
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(followed, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
