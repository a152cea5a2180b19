import type { ServerResponse } from "node:http";
import type { AwsLambdaRuntime, ResponseStreamLike, StreamMetadata } from "../stream-handle.ts";

/** Marks a handler wrapped by the stand-in `streamifyResponse` (the real runtime uses its own symbol). */
export const STREAMING = Symbol.for("portico.lambda.streaming");

/** The writable a streaming handler gets from the dev server: the HTTP response, status line pending. */
export interface DevResponseStream extends ResponseStreamLike {
  readonly res: ServerResponse;
}

function headOf(metadata: StreamMetadata): [string, string][] {
  const pairs: [string, string][] = Object.entries(metadata.headers);
  for (const cookie of metadata.cookies ?? []) pairs.push(["set-cookie", cookie]);
  return pairs;
}

/**
 * Like the real runtime, the status line goes out with the first `write()` (the runtime sends its
 * JSON prelude then). A stream ended without any `write()` never gets its status on real Lambda —
 * the client sees a 502 — so the stand-in answers 502 too, instead of hiding the bug.
 */
function sendStatusOnFirstWrite(res: ServerResponse, metadata: StreamMetadata): void {
  const write = res.write;
  const end = res.end;
  let sent = false;
  const send = (status: number): void => {
    sent = true;
    const flat: string[] = [];
    if (status === metadata.statusCode) for (const [name, value] of headOf(metadata)) flat.push(name, value);
    res.writeHead(status, flat);
    res.flushHeaders();
  };
  const writeOnce = function (this: ServerResponse, ...args: unknown[]) {
    if (!sent) send(metadata.statusCode);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse["write"];
  const endOnce = function (this: ServerResponse, ...args: unknown[]) {
    if (!sent && !res.headersSent) {
      console.warn(
        "[@portico/adapter-lambda/dev] stream ended before any write: Lambda would lose the status line (502)",
      );
      send(502);
      return (end as () => ServerResponse).call(this);
    }
    return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse["end"];
  res.write = writeOnce;
  res.end = endOnce;
}

/**
 * Installs a stand-in for the Lambda runtime's `awslambda` global (when there is none), so that
 * `streamHandle()` works under the dev server and in tests: `streamifyResponse` marks the handler,
 * `HttpResponseStream.from` returns the HTTP response as the body stream, its status line and
 * headers sent with the first `write()` (the real runtime sends a JSON prelude to the Runtime API then).
 */
export function installAwslambda(): void {
  const global = globalThis as unknown as { awslambda?: AwsLambdaRuntime };
  if (global.awslambda !== undefined) return;
  global.awslambda = {
    streamifyResponse(handler) {
      return Object.assign(handler, { [STREAMING]: true });
    },
    HttpResponseStream: {
      from(stream, metadata) {
        const res = (stream as DevResponseStream).res;
        sendStatusOnFirstWrite(res, metadata);
        return stream;
      },
    },
  };
}

/** A Node response as the handler's response stream. */
export function devResponseStream(res: ServerResponse): DevResponseStream {
  return Object.assign(res, { res }) as unknown as DevResponseStream;
}
