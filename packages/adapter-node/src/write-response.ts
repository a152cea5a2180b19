import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { readBufferedResponse } from "@portico/host";
import { endWith, writeBuffered } from "./_buffered.ts";
import { defaultOnError, sendAdapterError } from "./_error-response.ts";
import { drained, finished, SLICE, stalledReason, writeSliced, writeStallTimeout } from "./_write-wait.ts";

/** Options of {@link writeResponse}. */
export interface WriteResponseOptions {
  /** Aborting it stops the transfer: the body is cancelled and the connection destroyed. */
  signal?: AbortSignal;
  /** Told about an app error (invalid response, failing body stream). Default: `console.error`. */
  onError?: (error: unknown) => void;
  /**
   * How long the transfer may wait for a client that takes none of the bytes written to it; then
   * the body is cancelled and the connection destroyed. Any progress starts the wait anew (large
   * chunks go out in 64 KiB slices, each one progress). Default 60 000 ms; 0 waits forever; at
   * most 2^31−1 ms (about 24.8 days, the longest a timer waits), else a `RangeError`.
   */
  writeStallTimeoutMs?: number;
}

function nodeHeaders(response: Response): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") out[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  return out;
}

/** Writes the status line and headers; `length` sets Content-Length unless the app framed the body itself. */
function writeHead(res: ServerResponse, response: Response, length?: number): void {
  const headers = nodeHeaders(response);
  if (length !== undefined && !("content-length" in headers) && !("transfer-encoding" in headers)) {
    headers["content-length"] = length;
  }
  if (response.statusText) res.writeHead(response.status, response.statusText, headers);
  else res.writeHead(response.status, headers);
}

/** Structural check, so a Response from another realm or fetch implementation is accepted too. */
function isResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  const candidate = value as Partial<Response> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.status === "number" &&
    typeof candidate.headers?.getSetCookie === "function" &&
    "body" in candidate
  );
}

function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.toLowerCase().startsWith("text/event-stream") === true;
}

/**
 * `res.end(last)` as a promise that settles once the response is handed to the OS or the socket
 * closed, or the client was cut for taking nothing for `stallMs`.
 */
function ended(res: ServerResponse, stallMs: number, last?: Uint8Array): Promise<void> {
  if (last === undefined || last.byteLength <= SLICE) {
    return finished(res, stallMs, () => (last === undefined ? res.end() : res.end(last)));
  }
  // `sent` runs right after `res.end()`, before 'finish' can fire.
  return new Promise((resolve) =>
    endWith(res, last, stallMs, () => {
      void finished(res, stallMs, () => {}).then(resolve);
    }),
  );
}

/**
 * Resolves with `undefined` after a few microtask turns: long enough for a read from a body that is
 * already complete (`Response.json()`, `new Response(text)`) to settle, far shorter than any wait on
 * an app still producing its body.
 */
function fewTicks(): Promise<undefined> {
  return new Promise((resolve) =>
    queueMicrotask(() => queueMicrotask(() => queueMicrotask(() => resolve(undefined)))),
  );
}

function isGone(res: ServerResponse): boolean {
  return res.destroyed || res.writableEnded;
}

async function pipeBody(
  response: Response,
  body: ReadableStream<Uint8Array>,
  res: ServerResponse,
  onError: (error: unknown) => void,
  signal: AbortSignal | undefined,
  stallMs: number,
): Promise<void> {
  const reader = body.getReader();
  // 'close' also follows every normal finish (before this function resumes): only a transfer still
  // under way is cancelled, and the error object, whose stack trace is costly, is built only then.
  const stop = (): void => {
    if (res.writableFinished) return;
    reader.cancel(new DOMException("The client closed the connection", "AbortError")).catch(() => {});
  };
  const abort = (): void => {
    stop();
    res.destroy();
  };
  if (signal?.aborted) {
    abort();
    return;
  }
  res.once("close", stop);
  signal?.addEventListener("abort", abort, { once: true });
  // A client that takes nothing for `stallMs`: the body is cancelled, then the connection destroyed.
  const onStall = (): void => {
    reader.cancel(stalledReason()).catch(() => {});
  };
  // While the adapter waits for the client, a body that fails ends the transfer at once: nothing
  // else would wake the wait, and the connection and its buffered bytes would stay until the client
  // leaves. Not reported: that is how the core gives up on an SSE stream whose client took nothing
  // for two keep-alive intervals, a client's doing (and one it could repeat to flood the log).
  let waiting = false;
  let watching = false;
  const waitOn = async (wait: Promise<void>): Promise<void> => {
    if (!watching) {
      watching = true;
      reader.closed.then(undefined, () => {
        if (waiting && !isGone(res)) res.destroy();
      });
    }
    waiting = true;
    try {
      await wait;
    } finally {
      waiting = false;
    }
  };
  /** Writes one chunk; a promise only when the adapter has to wait for the client. */
  const send = (chunk: Uint8Array): Promise<void> | undefined => {
    if (chunk.byteLength > SLICE) return waitOn(writeSliced(res, chunk, stallMs, false, onStall));
    return res.write(chunk) ? undefined : waitOn(drained(res, stallMs, onStall));
  };
  try {
    res.socket?.setNoDelay(true);
    let pending: Promise<ReadableStreamReadResult<Uint8Array>>;
    if (isEventStream(response)) {
      // SSE: the client must see the status line now, not with the first event.
      writeHead(res, response);
      res.flushHeaders();
      pending = reader.read();
    } else {
      // Other bodies: the status line waits for the first chunk, so a body that fails before
      // producing anything still gets an honest 500.
      const first = await reader.read();
      if (isGone(res)) return;
      if (first.done) {
        writeHead(res, response, 0);
        await ended(res, stallMs);
        return;
      }
      pending = reader.read();
      // A body that is complete after one chunk (Response.json(), new Response(string)) is sent with a
      // Content-Length instead of chunked encoding.
      const second = await Promise.race([pending, fewTicks()]);
      if (isGone(res)) return;
      if (second?.done === true) {
        writeHead(res, response, first.value.byteLength);
        await ended(res, stallMs, first.value);
        return;
      }
      writeHead(res, response);
      const wait = send(first.value);
      if (wait !== undefined) await wait;
    }
    for (;;) {
      const { done, value } = await pending;
      if (isGone(res)) return;
      if (done) break;
      const wait = send(value);
      if (wait !== undefined) {
        await wait;
        if (isGone(res)) return;
      }
      pending = reader.read();
    }
    await ended(res, stallMs);
  } catch (error) {
    if (!signal?.aborted && !res.destroyed) onError(error);
    stop();
    // Before the status line: a real 500. After: destroy, so the client sees a truncated body.
    sendAdapterError(res, 500);
  } finally {
    res.off("close", stop);
    signal?.removeEventListener("abort", abort);
  }
}

/**
 * Writes a Fetch `Response` to a Node `ServerResponse`: status, headers (each `Set-Cookie` separately),
 * and the body streamed chunk by chunk, waiting for `'drain'` whenever the socket is full, so memory
 * stays bounded however large the body and however slow the client. A client that takes nothing for
 * `writeStallTimeoutMs` (60 s), or a body that fails while the adapter waits for the client, ends the
 * transfer: the body is cancelled and the connection destroyed. `text/event-stream` responses get
 * their headers flushed at once; streams run with Nagle disabled. The body is cancelled when the client
 * goes away or `signal` aborts. A buffered Portico response (see `readBufferedResponse` in
 * `@portico/host`) skips the stream: one `writeHead`, one `end`, with a Content-Length.
 *
 * Never rejects. If the value is not a usable `Response` or its body fails before anything was sent,
 * the client gets a 500 with a JSON-RPC error body (no details); after that, the connection is destroyed.
 */
export async function writeResponse(
  response: Response,
  res: ServerResponse,
  options: WriteResponseOptions | AbortSignal = {},
): Promise<void> {
  const opts: WriteResponseOptions = options instanceof AbortSignal ? { signal: options } : options;
  const onError = opts.onError ?? defaultOnError;
  try {
    const stallMs = writeStallTimeout(opts.writeStallTimeoutMs);
    if (!isResponse(response)) throw new TypeError("the app did not return a Response");
    const buffered = readBufferedResponse(response);
    if (buffered !== undefined) {
      // The whole body goes to the socket in one write; only a large one is waited for.
      if (!res.destroyed) await writeBuffered(res, buffered, res.req?.method === "HEAD", stallMs);
      return;
    }
    const body = response.body;
    if (res.destroyed) {
      // The client left while the app was working: nobody to write to.
      body?.cancel().catch(() => {});
      return;
    }
    if (body === null || res.req?.method === "HEAD") {
      body?.cancel().catch(() => {});
      writeHead(res, response);
      await ended(res, stallMs);
      return;
    }
    await pipeBody(response, body, res, onError, opts.signal, stallMs);
  } catch (error) {
    onError(error);
    sendAdapterError(res, 500);
  }
}
