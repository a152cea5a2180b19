import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import { readBufferedResponse } from "@portico/host";
import { endWith, writeBuffered } from "./_buffered.ts";
import { defaultOnError, sendAdapterError } from "./_error-response.ts";

/** Options of {@link writeResponse}. */
export interface WriteResponseOptions {
  /** Aborting it stops the transfer: the body is cancelled and the connection destroyed. */
  signal?: AbortSignal;
  /** Told about an app error (invalid response, failing body stream). Default: `console.error`. */
  onError?: (error: unknown) => void;
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

/** Resolves once `res` can take more data, or has closed (then nothing more should be written). */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    const done = (): void => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** `res.end(last)` as a promise that settles once the response is handed to the OS or the socket closed. */
function ended(res: ServerResponse, last?: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    const done = (): void => {
      res.off("finish", done);
      res.off("close", done);
      resolve();
    };
    res.on("finish", done);
    res.on("close", done);
    if (last === undefined) res.end();
    else endWith(res, last);
  });
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
        await ended(res);
        return;
      }
      pending = reader.read();
      // A body that is complete after one chunk (Response.json(), new Response(string)) is sent with a
      // Content-Length instead of chunked encoding.
      const second = await Promise.race([pending, fewTicks()]);
      if (isGone(res)) return;
      if (second?.done === true) {
        writeHead(res, response, first.value.byteLength);
        await ended(res, first.value);
        return;
      }
      writeHead(res, response);
      if (!res.write(first.value)) await drained(res);
    }
    for (;;) {
      const { done, value } = await pending;
      if (isGone(res)) return;
      if (done) break;
      if (!res.write(value)) await drained(res);
      pending = reader.read();
    }
    await ended(res);
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
 * stays bounded however large the body and however slow the client. `text/event-stream` responses get
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
    if (!isResponse(response)) throw new TypeError("the app did not return a Response");
    const buffered = readBufferedResponse(response);
    if (buffered !== undefined) {
      // The whole body goes to the socket in one write; only a large one is waited for.
      if (!res.destroyed) await writeBuffered(res, buffered, res.req?.method === "HEAD");
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
      await ended(res);
      return;
    }
    await pipeBody(response, body, res, onError, opts.signal);
  } catch (error) {
    onError(error);
    sendAdapterError(res, 500);
  }
}
