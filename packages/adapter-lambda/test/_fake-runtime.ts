/**
 * A stand-in for the Lambda Node.js runtime's response streaming, faithful to its contract
 * (aws-lambda-nodejs-runtime-interface-client, read for facts only):
 * - the handler's response stream is a Node `Writable`: `write()` returns `false` once its buffer
 *   holds `highWaterMark` bytes, and `drain` follows when the sink has taken them;
 * - `HttpResponseStream.from(stream, prelude)` sets the content type
 *   `application/vnd.awslambda.http-integration-response` and arranges for the JSON prelude and
 *   8 NUL bytes to go out just before the first `write()` — never before `end(chunk)`, which
 *   bypasses `write()`, so a stream only ended loses its status line.
 */
import { Writable } from "node:stream";
import type { AwsLambdaRuntime } from "../src/index.ts";

const PRELUDE_TYPE = "application/vnd.awslambda.http-integration-response";

type Send = (chunk: Uint8Array | string) => void;

/** The response stream a streaming handler gets; the test decides when the sink takes data. */
export class FakeResponseStream extends Writable {
  contentType = "application/octet-stream";
  /** Called by `HttpResponseStream.from` with the runtime's own `write` (as the runtime does). */
  beforeFirstWrite: ((send: Send) => void) | undefined;
  /** What the sink has taken, in order (each chunk is also emitted as a `taken` event). */
  readonly taken: Buffer[] = [];
  /** While true, the sink holds each write until `drainOnce()`/`release()`: the stream fills up. */
  holding: boolean;
  #held: (() => void)[] = [];
  #written = false;

  constructor(options: { highWaterMark?: number; holding?: boolean } = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024 });
    this.holding = options.holding === true;
    // The runtime listens for errors on its request; an unhandled one would crash the process.
    this.on("error", () => {});
    const write = this.write.bind(this) as (chunk: Uint8Array | string) => boolean;
    this.write = ((chunk: Uint8Array | string) => {
      if (!this.#written) {
        this.#written = true;
        this.beforeFirstWrite?.((c) => write(c));
      }
      return write(chunk);
    }) as Writable["write"];
  }

  setContentType(type: string): void {
    if (this.#written) throw new Error("Cannot set content-type, too late.");
    this.contentType = type;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const take = (): void => {
      this.taken.push(chunk);
      this.emit("taken", chunk.toString());
      done();
    };
    if (this.holding) this.#held.push(take);
    else take();
  }

  /** Lets the sink take everything buffered so far (then `drain`); it holds again once drained. */
  drainOnce(): void {
    this.holding = false;
    this.once("drain", () => {
      this.holding = true;
    });
    this.#flush();
  }

  /** Lets the sink take everything from now on. */
  release(): void {
    this.holding = false;
    this.#flush();
  }

  #flush(): void {
    for (const done of this.#held.splice(0)) done();
  }

  /** The prelude (undefined when none was sent) and the body text the client would get. */
  received(): { prelude: { statusCode: number; headers: Record<string, string> } | undefined; body: string } {
    const all = Buffer.concat(this.taken);
    const at = all.indexOf(Buffer.alloc(8));
    if (this.contentType !== PRELUDE_TYPE || at < 0) return { prelude: undefined, body: all.toString() };
    return { prelude: JSON.parse(all.subarray(0, at).toString()), body: all.subarray(at + 8).toString() };
  }
}

/** Installs the stand-in as the `awslambda` global (each test file runs in its own worker). */
export function installFakeRuntime(): void {
  const runtime: AwsLambdaRuntime = {
    streamifyResponse: (handler) => handler,
    HttpResponseStream: {
      from(stream, prelude) {
        const fake = stream as unknown as FakeResponseStream;
        fake.setContentType(PRELUDE_TYPE);
        const json = JSON.stringify(prelude);
        fake.beforeFirstWrite = (send) => {
          send(json);
          send(new Uint8Array(8));
        };
        return stream;
      },
    },
  };
  (globalThis as unknown as { awslambda: AwsLambdaRuntime }).awslambda = runtime;
}

export type StreamingHandler = (
  event: unknown,
  stream: FakeResponseStream,
  context?: unknown,
) => Promise<void>;

/** A few turns of the event loop: time enough for a pipe that ignores backpressure to run ahead. */
export async function idle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits for `promise` at most `ms`: its value, or "pending". */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | "pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<"pending">((resolve) => {
      timer = setTimeout(resolve, ms, "pending");
    }),
  ]).finally(() => clearTimeout(timer));
}
