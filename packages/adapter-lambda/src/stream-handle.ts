import {
  type FetchApp,
  HOST_ERROR_HEADERS,
  hostErrorBody,
  LightHeaders,
  readBufferedResponse,
  timerUntil,
} from "@portico/host";
import { resolveBodyMargin } from "./_body-margin.ts";
import { defaultOnError } from "./_host.ts";
import { invokeApp } from "./_invoke.ts";
import { splitHeaders } from "./_maps.ts";
import { isTaskEvent, runTaskEvent } from "./_task-event.ts";
import type { LambdaContextLike } from "./_types.ts";
import type { LambdaHandlerOptions } from "./handle.ts";

/** The writable the Lambda runtime hands a streaming handler (a Node `Writable`). */
export interface ResponseStreamLike {
  write(chunk: Uint8Array | string): boolean;
  end(chunk?: Uint8Array | string): void;
  on(event: "drain" | "close" | "error", listener: (...args: unknown[]) => void): unknown;
  off(event: "drain" | "close" | "error", listener: (...args: unknown[]) => void): unknown;
  destroy?(error?: Error): unknown;
  readonly writableEnded?: boolean;
  readonly destroyed?: boolean;
}

/** Status line data sent ahead of a streamed body. */
export interface StreamMetadata {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
}

/** The `awslambda` global of the Lambda Node.js runtime (or the dev server's stand-in). */
export interface AwsLambdaRuntime {
  streamifyResponse(
    handler: (
      event: unknown,
      responseStream: ResponseStreamLike,
      context?: LambdaContextLike,
    ) => Promise<void>,
  ): unknown;
  HttpResponseStream: { from(stream: ResponseStreamLike, metadata: StreamMetadata): ResponseStreamLike };
}

function runtimeOf(): AwsLambdaRuntime {
  const runtime = (globalThis as unknown as { awslambda?: AwsLambdaRuntime }).awslambda;
  if (
    typeof runtime?.streamifyResponse !== "function" ||
    typeof runtime.HttpResponseStream?.from !== "function"
  ) {
    throw new Error(
      "streamHandle() needs the `awslambda` global of the AWS Lambda Node.js runtime (or the polyfill of @portico/adapter-lambda/dev)",
    );
  }
  return runtime;
}

/**
 * Resolves when `stream` can take more (or is gone), or when `wake` (handed to `onWait`) is called:
 * the body failed or ended, or the deadline came.
 */
function drained(stream: ResponseStreamLike, onWait: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
    onWait(done);
  });
}

/**
 * Waits out this turn of the event loop, so that what was batched for its end (log lines, metric
 * documents) is written before the response's end: Lambda may freeze the instance as soon as that
 * arrives.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const gone = (stream: ResponseStreamLike): boolean =>
  stream.destroyed === true || stream.writableEnded === true;

/**
 * Sends the last of a body and ends the stream. The runtime sends the status line (its JSON prelude)
 * on the first `write()` and never on `end(chunk)`, so a stream always gets one `write()` first —
 * an `end()` alone would lose the status and headers (the client would see a 502 or a bare 200).
 */
function finish(out: ResponseStreamLike, last: Uint8Array | string = new Uint8Array(0)): void {
  out.write(last);
  out.end();
}

/** Sends the status line and headers (the app's framing headers dropped); returns the body stream. */
function head(
  runtime: AwsLambdaRuntime,
  stream: ResponseStreamLike,
  status: number,
  init: HeadersInit | LightHeaders,
): ResponseStreamLike {
  // Records and light headers (buffered answers, host errors) stay light: no undici on Node.
  const light = init instanceof LightHeaders || Object.getPrototypeOf(init) === Object.prototype;
  const headers = light ? new LightHeaders(init as Record<string, string>) : new Headers(init);
  headers.delete("content-length");
  const { single, cookies } = splitHeaders(headers);
  return runtime.HttpResponseStream.from(stream, { statusCode: status, headers: single, cookies });
}

/** A whole response (host errors, Portico's buffered answers): status line, body, end. */
function sendWhole(
  runtime: AwsLambdaRuntime,
  stream: ResponseStreamLike,
  status: number,
  headers: Record<string, string> | LightHeaders,
  body: string,
): void {
  finish(head(runtime, stream, status, headers), body);
}

/**
 * Pipes the body chunk by chunk, reading the next chunk only once the stream has room (`drain`).
 * The status line goes out with the first chunk: a body that fails before it yields a real 500;
 * one that fails after it cuts the stream, so the client sees it end early. A client that leaves
 * cancels the body; one that stops reading has its stream cut at `deadline` (and the body
 * cancelled), so the invocation ends before Lambda's timeout.
 */
async function pipe(
  runtime: AwsLambdaRuntime,
  stream: ResponseStreamLike,
  response: Response,
  deadline: number | undefined,
  onError: (e: unknown) => void,
): Promise<void> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let out: ResponseStreamLike | undefined;
  // Ends a wait for `drain` early: the body failed or ended (`ended`), or the deadline came (`late`).
  let wake: (() => void) | undefined;
  let armed = false;
  let ended = false;
  let late = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiting = (done: () => void): void => {
    wake = done;
  };
  const stop = (): void =>
    void reader?.cancel(new DOMException("The client went away", "AbortError")).catch(() => {});
  stream.on("close", stop);
  try {
    reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // The client may have left while the app was still answering: nothing will close the stream again.
    if (gone(stream)) {
      stop();
      return;
    }
    let chunk = await reader.read();
    if (gone(stream)) {
      stop();
      return;
    }
    out = head(runtime, stream, response.status, response.headers);
    if (chunk.done) {
      await nextTurn();
      if (!gone(out)) finish(out);
      return;
    }
    while (!chunk.done && !gone(out)) {
      if (!out.write(chunk.value)) {
        if (!armed) {
          // Set up at the first full stream only: a body that fails or ends meanwhile is noticed at
          // once, not at a `drain` that may never come; the deadline bounds the wait.
          armed = true;
          const end = (): void => {
            ended = true;
            wake?.();
          };
          reader.closed.then(end, end);
          if (deadline !== undefined) {
            timer = timerUntil(deadline, () => {
              late = true;
              wake?.();
            });
          }
        }
        if (!late && !ended) await drained(out, waiting);
        wake = undefined;
        if (late && !gone(out)) {
          // The client stopped reading: what is left will not reach it before the invocation ends.
          onError(
            new Error(
              "@portico/adapter-lambda: the client did not read the stream before the invocation's deadline; the stream was cut",
            ),
          );
          out.destroy?.(new Error("the invocation's deadline came before the client read the stream"));
          stop();
          return;
        }
      }
      chunk = await reader.read();
    }
    if (chunk.done) await nextTurn();
    if (!gone(out)) out.end();
  } catch (error) {
    onError(error);
    if (out === undefined) {
      if (gone(stream)) {
        stop();
        return;
      }
      sendWhole(runtime, stream, 500, HOST_ERROR_HEADERS, hostErrorBody(500));
    } else {
      out.destroy?.(error instanceof Error ? error : new Error(String(error)));
    }
  } finally {
    clearTimeout(timer);
    stream.off("close", stop);
  }
}

/**
 * A response-streaming Lambda handler for Function URLs with `InvokeMode: RESPONSE_STREAM`:
 * `export const handler = streamHandle(app)`. SSE bodies reach the client chunk by chunk with
 * backpressure (`drain`); nothing is buffered. The status line goes out with the body's first
 * chunk, so an app (or a body) that fails before it yields a real 500. Events are Function URL
 * (payload 2.0) ones; other kinds are accepted too. `ctx` is `handle()`'s (the `awsRequestId`,
 * the authorizer's auth, the event's `domainName` and `sourceIp`), streaming. `ctx.deadline` lets
 * the core end long-lived streams with a `retry` hint before the function times out;
 * `ctx.waitUntil` work is awaited after the body ends, until the deadline minus `bodyMarginMs`.
 * A client that leaves cancels the body; one that stops reading has its stream cut at that time.
 */
export function streamHandle(app: FetchApp, opts: LambdaHandlerOptions = {}): unknown {
  const margin = resolveBodyMargin(opts.bodyMarginMs);
  const runtime = runtimeOf();
  const onError = opts.onError ?? defaultOnError;
  return runtime.streamifyResponse(async (event, responseStream, context) => {
    if (isTaskEvent(event)) {
      // An asynchronous invocation running a task (see invokeSelf): nobody reads this answer.
      await runTaskEvent(app, event, opts.env, context, onError, margin);
      await nextTurn();
      sendWhole(runtime, responseStream, 202, {}, "");
      return;
    }
    const invoked = await invokeApp(app, opts, event, context, true, onError);
    if (!invoked.ok) {
      sendWhole(runtime, responseStream, 400, HOST_ERROR_HEADERS, hostErrorBody(400));
      return;
    }
    const { response, run } = invoked;
    const deadline = run.ctx.deadline === undefined ? undefined : run.ctx.deadline - margin;
    const buffered = readBufferedResponse(response);
    if (buffered !== undefined || response.body === null) {
      await nextTurn();
      try {
        if (buffered !== undefined)
          sendWhole(runtime, responseStream, buffered.status, buffered.headers, buffered.body ?? "");
        else finish(head(runtime, responseStream, response.status, response.headers));
      } catch (error) {
        // Headers no `Headers` would take (a buffered answer's are not checked until here): nothing
        // was written yet, so the client gets the 500 `handle()` gives.
        onError(error);
        sendWhole(runtime, responseStream, 500, HOST_ERROR_HEADERS, hostErrorBody(500));
      }
    } else {
      await pipe(runtime, responseStream, response, deadline, onError);
    }
    await run.settled(deadline);
  });
}
