import { adapterError, defaultOnError, readBuffered } from "./_host.ts";
import { invokeApp } from "./_invoke.ts";
import { splitHeaders } from "./_maps.ts";
import type { FetchApp, LambdaContextLike } from "./_types.ts";
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

async function pipe(
  body: ReadableStream<Uint8Array>,
  out: ResponseStreamLike,
  onError: (e: unknown) => void,
) {
  const reader = body.getReader();
  const stop = (): void =>
    void reader.cancel(new DOMException("The client went away", "AbortError")).catch(() => {});
  out.on("close", stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || gone(out)) break;
      if (!out.write(value)) await drained(out);
    }
    if (!gone(out)) out.end();
  } catch (error) {
    // After the status line an honest status is impossible: cut the stream so the client sees it end early.
    onError(error);
    out.destroy?.(error instanceof Error ? error : new Error(String(error)));
  } finally {
    out.off("close", stop);
  }
}

/** Sends the status line and headers (the app's framing headers dropped); returns the body stream. */
function head(
  runtime: AwsLambdaRuntime,
  stream: ResponseStreamLike,
  status: number,
  init: HeadersInit,
): ResponseStreamLike {
  const headers = new Headers(init);
  headers.delete("content-length");
  const { single, cookies } = splitHeaders(headers);
  return runtime.HttpResponseStream.from(stream, { statusCode: status, headers: single, cookies });
}

/**
 * A response-streaming Lambda handler for Function URLs with `InvokeMode: RESPONSE_STREAM`:
 * `export const handler = streamHandle(app)`. SSE bodies reach the client chunk by chunk with
 * backpressure (`drain`); nothing is buffered. The status line goes out only once the app has
 * answered, so an app that fails first yields a real 500. Events are Function URL (payload 2.0)
 * ones; other kinds are accepted too. `ctx.deadline` lets the core end long-lived streams with a
 * `retry` hint before the function times out; `ctx.waitUntil` work is awaited after the body ends.
 */
export function streamHandle(app: FetchApp, opts: LambdaHandlerOptions = {}): unknown {
  const runtime = runtimeOf();
  const onError = opts.onError ?? defaultOnError;
  return runtime.streamifyResponse(async (event, responseStream, context) => {
    const invoked = await invokeApp(app, opts, event, context, true, onError);
    if (!invoked.ok) {
      const error = adapterError(400);
      head(runtime, responseStream, error.status, error.headers).end(await error.text());
      return;
    }
    const { response, run } = invoked;
    const buffered = readBuffered(response);
    if (buffered !== undefined) {
      head(runtime, responseStream, buffered.status, buffered.headers).end(buffered.body ?? "");
    } else {
      const out = head(runtime, responseStream, response.status, response.headers);
      if (response.body === null) out.end();
      else await pipe(response.body, out, onError);
    }
    await run.settled();
  });
}
