/**
 * A Function URL in front of a {@link LocalFunction}: each HTTP request becomes a payload 2.0 event
 * (`toEvent`), the function is invoked through the local Runtime API, and its answer goes back as
 * the HTTP response — a buffered result through `fromResult`, a stream as it arrives (status and
 * headers from the prelude that `awslambda.HttpResponseStream.from` writes ahead of the body).
 * A function error, a failed init or a timeout answers 502 with `{ errorType, phase }`.
 */
import { fromResult, type LambdaHttpResult, toEvent } from "@portico/adapter-lambda";
import { serve } from "@portico/adapter-node";
import type { InvokeOutcome, StreamingOutcome } from "./_invoke-outcome.ts";
import type { LocalFunction } from "./_runtime-api.ts";

/** The content type of a streamed answer that starts with a JSON prelude and 8 NUL bytes. */
export const PRELUDE_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER_LENGTH = 8;
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** What the prelude carries (see `StreamMetadata` in @portico/adapter-lambda). */
export interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

function delimiterAt(bytes: Uint8Array): number {
  let run = 0;
  for (let i = 0; i < bytes.length; i++) {
    run = bytes[i] === 0 ? run + 1 : 0;
    if (run === DELIMITER_LENGTH) return i + 1 - DELIMITER_LENGTH;
  }
  return -1;
}

/** `head` then the rest of `reader`, as one stream (pulled on demand, so backpressure holds). */
function streamOf(
  head: Uint8Array,
  reader: ReadableStreamDefaultReader<Uint8Array>,
): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (head.length > 0) controller.enqueue(head);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/**
 * Reads a streamed answer up to the delimiter: the prelude (undefined when the stream ended
 * before one, e.g. a handler that failed before its first write) and the body after it.
 */
export async function splitPrelude(
  stream: ReadableStream<Uint8Array>,
): Promise<{ prelude: Prelude | undefined; body: ReadableStream<Uint8Array> }> {
  const reader = stream.getReader();
  let buffered = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { prelude: undefined, body: streamOf(buffered, reader) };
    const joined = new Uint8Array(buffered.length + value.length);
    joined.set(buffered);
    joined.set(value, buffered.length);
    buffered = joined;
    const at = delimiterAt(buffered);
    if (at >= 0) {
      const prelude = JSON.parse(new TextDecoder().decode(buffered.subarray(0, at))) as Prelude;
      return { prelude, body: streamOf(buffered.slice(at + DELIMITER_LENGTH), reader) };
    }
  }
}

/** Passes `body` through; if the function reports an error at the end (trailers), the stream errors. */
function failOnErrorTrailer(
  body: ReadableStream<Uint8Array>,
  end: StreamingOutcome["end"],
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (!done) return controller.enqueue(value);
      const { trailers, complete } = await end;
      const errorType = trailers["lambda-runtime-function-error-type"];
      if (errorType !== undefined || !complete) {
        controller.error(new Error(`the function failed mid-stream: ${errorType ?? "connection lost"}`));
      } else controller.close();
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

function failed(errorType: string, phase: string): Response {
  return Response.json({ errorType, phase }, { status: 502 });
}

/** The HTTP response a Function URL would send for the outcome of an invocation. */
export async function toResponse(outcome: InvokeOutcome): Promise<Response> {
  if (outcome.kind === "error") return failed(outcome.errorType, outcome.phase);
  if (outcome.kind === "buffered") {
    const result = JSON.parse(outcome.payload) as unknown;
    if (typeof result === "object" && result !== null && "statusCode" in result) {
      return fromResult(result as LambdaHttpResult);
    }
    // Payload 2.0 without a status code: the whole value is a JSON body.
    return new Response(outcome.payload, { headers: { "content-type": "application/json" } });
  }
  if (outcome.contentType !== PRELUDE_CONTENT_TYPE) {
    return new Response(failOnErrorTrailer(outcome.body, outcome.end), {
      headers: { "content-type": outcome.contentType },
    });
  }
  const { prelude, body } = await splitPrelude(outcome.body);
  if (prelude === undefined) {
    await body.cancel();
    const { trailers } = await outcome.end;
    return failed(trailers["lambda-runtime-function-error-type"] ?? "Runtime.NoPrelude", "invoke");
  }
  const status = prelude.statusCode ?? 200;
  const headers = new Headers(prelude.headers);
  for (const cookie of prelude.cookies ?? []) headers.append("set-cookie", cookie);
  if (NULL_BODY_STATUSES.has(status)) {
    await body.cancel();
    return new Response(null, { status, headers });
  }
  return new Response(failOnErrorTrailer(body, outcome.end), { status, headers });
}

/**
 * Serves the function on 127.0.0.1 (a free port) as a Function URL with payload 2.0 events. Their
 * `requestContext.domainName` is this server's own address, as a Function URL's is its own domain,
 * never the `Host` a client sent.
 */
export async function serveFunctionUrl(fn: LocalFunction): Promise<{ url: string; close(): Promise<void> }> {
  let domainName = "127.0.0.1";
  const app = {
    fetch: async (request: Request) =>
      toResponse(await fn.invoke(await toEvent(request, "v2", { domainName }))),
  };
  const server = await serve(app, { port: 0, hostname: "127.0.0.1", gracefulTimeoutMs: 1_000 });
  domainName = new URL(server.url).host;
  return { url: server.url, close: () => server.close() };
}
