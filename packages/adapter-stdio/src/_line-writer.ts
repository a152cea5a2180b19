/**
 * One JSON-RPC message per line on the output stream, in order, honouring backpressure: while the
 * stream is full, every writer waits (and so does the response body it reads from). Once the
 * output fails (the client closed its end: EPIPE) or the writer is closed, messages are dropped.
 */
import type { Writable } from "node:stream";

export class LineWriter {
  readonly #output: Writable;
  readonly #write: (line: string) => boolean;
  readonly #onGone: (error: unknown) => void;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  /** Lines accepted and not handed to the stream yet. */
  #queued = 0;
  #drain: { promise: Promise<void>; release: () => void } | undefined;

  /** `onGone` is told once when the output fails (the client went away). */
  constructor(output: Writable, onGone: (error: unknown) => void) {
    this.#output = output;
    // Its `write` as it is now: `process.stdout.write` is sent to stderr while serving (_console.ts).
    this.#write = output.write.bind(output);
    this.#onGone = onGone;
    output.on("error", this.#fail);
    output.on("drain", this.#release);
    output.on("close", this.#release);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes `message` as one line; resolves once the stream has room again (never rejects). */
  write(message: unknown): Promise<void> {
    if (this.#closed) return Promise.resolve();
    // JSON.stringify never emits a raw newline: every message is exactly one line.
    const line = `${JSON.stringify(message)}\n`;
    this.#queued++;
    const next = this.#chain.then(async () => {
      if (this.#drain !== undefined) await this.#drain.promise;
      this.#queued--;
      if (this.#closed) return;
      try {
        if (!this.#write(line)) this.#waitForDrain();
      } catch (error) {
        this.#fail(error);
      }
    });
    this.#chain = next;
    return next;
  }

  /** Resolves when every accepted line has been handed to the stream. */
  flushed(): Promise<void> {
    return this.#chain.then(() => this.#drain?.promise);
  }

  /**
   * While lines wait to be handed to the stream, or the stream is full: resolves once they are
   * and it has drained. `undefined` when there is nothing to wait for.
   */
  backlog(): Promise<void> | undefined {
    return this.#queued > 0 || this.#drain !== undefined ? this.flushed() : undefined;
  }

  /** Drops every later message and stops listening to the stream. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
    this.#output.off("drain", this.#release);
    this.#output.off("close", this.#release);
    // Keep a listener: a late EPIPE on a stream nobody watches would crash the process.
    this.#output.off("error", this.#fail);
    this.#output.on("error", () => {});
  }

  #waitForDrain(): void {
    if (this.#drain !== undefined) return;
    let release = (): void => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#drain = { promise, release };
  }

  readonly #release = (): void => {
    const drain = this.#drain;
    this.#drain = undefined;
    drain?.release();
  };

  readonly #fail = (error: unknown): void => {
    if (this.#closed) return;
    this.close();
    this.#onGone(error);
  };
}
