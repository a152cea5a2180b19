/**
 * The Lambda adapter's handlers, invoked in process with Function URL / HTTP API (payload 2.0)
 * events made by `toEvent`, as the Lambda runtime would invoke them:
 *
 * - `handle` (buffered): the result becomes a `Response` with `fromResult`;
 * - `streamHandle` (RESPONSE_STREAM): the handler writes to a response stream shaped like the
 *   runtime's — a Node `Writable` whose status line and headers (`HttpResponseStream.from`'s
 *   prelude) go out with the first `write()`; a stream ended without any write has no status line
 *   (Lambda answers 502, so the harness does too). The client leaving destroys the stream.
 *
 * Events carry the Host the request had (the front door passes it through) and a fixed routed
 * domain; a body that is not UTF-8 arrives base64-encoded, as API Gateway delivers binary bodies.
 */
import { Writable } from "node:stream";
import {
  type AwsLambdaRuntime,
  fromResult,
  type LambdaHttpResult,
  type StreamMetadata,
  toEvent,
} from "@portico/adapter-lambda";
import {
  type Answer,
  fromFetchResponse,
  type RawRequest,
  type Transport,
  toFetchRequest,
} from "../transport.ts";

/** The domain the events say the front door routed by (`requestContext.domainName`). */
export const ROUTED_DOMAIN = "abc123.lambda-url.us-east-1.on.aws";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
let invocations = 0;

function context() {
  invocations++;
  return { awsRequestId: `fuzz-${invocations}`, getRemainingTimeInMillis: () => 60_000 };
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The payload 2.0 event for `raw`, with the request's own Host and binary bodies in base64. */
export async function eventOf(origin: string, raw: RawRequest): Promise<Record<string, unknown>> {
  const request = toFetchRequest(origin, raw);
  const event = (await toEvent(request, "v2", { domainName: ROUTED_DOMAIN })) as unknown as {
    headers: Record<string, string>;
    body?: string;
    isBase64Encoded: boolean;
  };
  const host = raw.headers.find(([name]) => name === "host")?.[1];
  if (host === undefined) delete event.headers.host;
  else event.headers.host = host;
  if (request.body !== null && raw.body !== null) {
    try {
      strictUtf8.decode(raw.body);
    } catch {
      event.body = base64(raw.body);
      event.isBase64Encoded = true;
    }
  }
  return event as unknown as Record<string, unknown>;
}

type BufferedHandler = (event: unknown, context?: unknown) => Promise<LambdaHttpResult>;

export function lambdaBufferedTransport(handler: unknown, origin = "http://127.0.0.1:3000"): Transport {
  const invoke = handler as BufferedHandler;
  return {
    origin,
    async send(raw: RawRequest): Promise<Answer> {
      const result = await invoke(await eventOf(origin, raw), context());
      return fromFetchResponse(fromResult(result));
    },
  };
}

/** The response stream of one streaming invocation. */
class ResponseStream extends Writable {
  metadata: StreamMetadata | undefined;
  /** Set on the first `write()`: the status line went out. */
  started = false;
  readonly #chunks: Uint8Array[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  readonly firstWrite: Promise<void>;
  #first!: () => void;

  constructor() {
    super({ highWaterMark: 16 * 1024 });
    this.firstWrite = new Promise((resolve) => {
      this.#first = resolve;
    });
    this.on("error", () => {});
    const end = () => {
      this.#ended = true;
      this.#first();
      this.#wake?.();
    };
    this.on("finish", end);
    this.on("close", end);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.started) {
      this.started = true;
      this.#first();
    }
    this.#chunks.push(new Uint8Array(chunk));
    this.#wake?.();
    done();
  }

  async *chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.#chunks.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }
}

/** Installs a stand-in for the runtime's `awslambda` global (each test file runs in its own process). */
export function installLambdaRuntime(): void {
  const runtime: AwsLambdaRuntime = {
    streamifyResponse: (handler) => handler,
    HttpResponseStream: {
      from(stream, metadata) {
        (stream as unknown as ResponseStream).metadata = metadata;
        return stream;
      },
    },
  };
  (globalThis as unknown as { awslambda: AwsLambdaRuntime }).awslambda = runtime;
}

type StreamingHandler = (event: unknown, stream: ResponseStream, context?: unknown) => Promise<void>;

export function lambdaStreamingTransport(handler: unknown, origin = "http://127.0.0.1:3000"): Transport {
  const invoke = handler as StreamingHandler;
  return {
    origin,
    async send(raw: RawRequest): Promise<Answer> {
      const stream = new ResponseStream();
      const done = invoke(await eventOf(origin, raw), stream, context());
      await Promise.race([stream.firstWrite, done.catch(() => {})]);
      const cancel = () => {
        if (!stream.destroyed) stream.destroy();
      };
      if (!stream.started || stream.metadata === undefined) {
        // Lambda never got a status line: the client sees a 502.
        return {
          status: 502,
          headers: new Headers({ "x-fuzz": "the stream ended without a write: no status line" }),
          body: null,
          cancel,
          settled: done,
        };
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(stream.metadata.headers)) headers.append(name, value);
      return { status: stream.metadata.statusCode, headers, body: stream.chunks(), cancel, settled: done };
    },
  };
}
