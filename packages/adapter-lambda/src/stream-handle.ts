import {
  type FetchApp,
  HOST_ERROR_HEADERS,
  hostErrorBody,
  LightHeaders,
  readBufferedResponse,
} from "@portico/host";
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

/** Resolves when `stream` can take more (or is gone). */
function drained(stream: ResponseStreamLike): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

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
 * one that fails after it cuts the stream, so the client sees it end early.
 */
async function pipe(
  runtime: AwsLambdaRuntime,
  stream: ResponseStreamLike,
  response: Response,
  body: ReadableStream<Uint8Array>,
  onError: (e: unknown) => void,
): Promise<void> {
  const reader = body.getReader();
  const stop = (): void =>
    void reader.cancel(new DOMException("The client went away", "AbortError")).catch(() => {});
  stream.on("close", stop);
  let out: ResponseStreamLike | undefined;
  try {
    let chunk = await reader.read();
    if (gone(stream)) return;
    out = head(runtime, stream, response.status, response.headers);
    if (chunk.done) {
      finish(out);
      return;
    }
    while (!chunk.done && !gone(out)) {
      if (!out.write(chunk.value)) await drained(out);
      chunk = await reader.read();
    }
    if (!gone(out)) out.end();
  } catch (error) {
    onError(error);
    if (out === undefined) {
      if (gone(stream)) return;
      sendWhole(runtime, stream, 500, HOST_ERROR_HEADERS, hostErrorBody(500));
    } else {
      out.destroy?.(error instanceof Error ? error : new Error(String(error)));
    }
  } finally {
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
 * `ctx.waitUntil` work is awaited after the body ends.
 */
export function streamHandle(app: FetchApp, opts: LambdaHandlerOptions = {}): unknown {
  const runtime = runtimeOf();
  const onError = opts.onError ?? defaultOnError;
  return runtime.streamifyResponse(async (event, responseStream, context) => {
    if (isTaskEvent(event)) {
      // An asynchronous invocation running a task (see invokeSelf): nobody reads this answer.
      await runTaskEvent(app, event, opts.env, context, onError);
      sendWhole(runtime, responseStream, 202, {}, "");
      return;
    }
    const invoked = await invokeApp(app, opts, event, context, true, onError);
    if (!invoked.ok) {
      sendWhole(runtime, responseStream, 400, HOST_ERROR_HEADERS, hostErrorBody(400));
      return;
    }
    const { response, run } = invoked;
    const buffered = readBufferedResponse(response);
    if (buffered !== undefined) {
      sendWhole(runtime, responseStream, buffered.status, buffered.headers, buffered.body ?? "");
    } else if (response.body === null) {
      finish(head(runtime, responseStream, response.status, response.headers));
    } else {
      await pipe(runtime, responseStream, response, response.body, onError);
    }
    await run.settled();
  });
}
