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
 * Installs a stand-in for the Lambda runtime's `awslambda` global (when there is none), so that
 * `streamHandle()` works under the dev server and in tests: `streamifyResponse` marks the handler,
 * `HttpResponseStream.from` sends the status line and headers to the HTTP response and returns it
 * as the body stream (the real runtime sends a JSON prelude to the Runtime API instead).
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
        const flat: string[] = [];
        for (const [name, value] of headOf(metadata)) flat.push(name, value);
        res.writeHead(metadata.statusCode, flat);
        res.flushHeaders();
        return stream;
      },
    },
  };
}

/** A Node response as the handler's response stream. */
export function devResponseStream(res: ServerResponse): DevResponseStream {
  return Object.assign(res, { res }) as unknown as DevResponseStream;
}
