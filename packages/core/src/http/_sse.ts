/**
 * Server-Sent Events writer over a web `ReadableStream`: event framing, keep-alive comments and
 * backpressure (writes wait while the consumer is behind). A consumer that takes nothing for two
 * keep-alive intervals (two {@link STALL_PROBE_MS} with keep-alives off) while the stream is full is
 * gone (a client that stopped reading, its connection still open): the stream errors, so that
 * nothing waits on it forever.
 */

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

const encoder = new TextEncoder();

/** How often a stream with keep-alive comments off looks for a client that stopped reading. */
export const STALL_PROBE_MS = 15_000;

/** Frames one event. Multi-line data becomes several `data:` lines. */
export function encodeEvent(event: SseEvent): string {
  let out = "";
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  if (event.retry !== undefined) out += `retry: ${Math.max(0, Math.floor(event.retry))}\n`;
  for (const line of event.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

export interface SseWriterOptions {
  /** Interval of `: keep-alive` comments while the stream is idle; 0 disables. */
  keepAliveMs: number;
  /** Bytes the stream may hold before writes wait for the consumer. */
  highWaterMark?: number;
  /** Called once when the consumer cancels (client went away). */
  onCancel?: () => void;
}

export class SseWriter {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #closed = false;
  #waiters: Array<() => void> = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastWrite = Date.now();
  /** Whether the consumer read since the last keep-alive tick, and full ticks in a row it did not. */
  #pulled = false;
  #stalls = 0;
  readonly #onCancel: (() => void) | undefined;

  constructor(options: SseWriterOptions) {
    this.#onCancel = options.onCancel;
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () => {
          this.#pulled = true;
          this.#release();
        },
        cancel: () => {
          this.#finish();
          this.#onCancel?.();
        },
      },
      { highWaterMark: options.highWaterMark ?? 64 * 1024, size: (chunk) => chunk.byteLength },
    );
    // The stall check runs with keep-alive comments off too (every STALL_PROBE_MS): else a client
    // that stopped reading, its connection open, would hold the stream and its writers forever.
    const keepAliveMs = options.keepAliveMs;
    this.#timer = setInterval(
      () => {
        if (this.#stalled()) {
          this.#finish();
          this.#controller.error(new Error("The client stopped reading the stream"));
          this.#onCancel?.();
        } else if (keepAliveMs > 0 && Date.now() - this.#lastWrite >= keepAliveMs / 2) {
          void this.comment("keep-alive");
        }
      },
      keepAliveMs > 0 ? keepAliveMs : STALL_PROBE_MS,
    );
    (this.#timer as { unref?: () => void }).unref?.();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one event; resolves when the stream has room again. `false` once closed. */
  write(event: SseEvent): Promise<boolean> {
    return this.#enqueue(encodeEvent(event));
  }

  /** Sets the client's reconnection delay (a `retry:` field with no event). */
  retry(ms: number): Promise<boolean> {
    return this.#enqueue(`retry: ${Math.max(0, Math.floor(ms))}\n\n`);
  }

  /** Writes a comment line (ignored by clients; keeps proxies from timing out). */
  comment(text: string): Promise<boolean> {
    return this.#enqueue(`: ${text}\n\n`);
  }

  /** Ends the stream normally. */
  close(): void {
    if (this.#closed) return;
    this.#finish();
    try {
      this.#controller.close();
    } catch {
      // already errored or cancelled
    }
  }

  async #enqueue(text: string): Promise<boolean> {
    if (this.#closed) return false;
    this.#lastWrite = Date.now();
    try {
      this.#controller.enqueue(encoder.encode(text));
    } catch {
      this.#finish();
      return false;
    }
    if ((this.#controller.desiredSize ?? 1) <= 0) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    return !this.#closed;
  }

  /** Counts a keep-alive tick: whether the stream stayed full, unread, for two in a row. */
  #stalled(): boolean {
    const full = !this.#pulled && (this.#controller.desiredSize ?? 1) <= 0;
    this.#pulled = false;
    this.#stalls = full ? this.#stalls + 1 : 0;
    return this.#stalls >= 2;
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #finish(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#release();
  }
}

export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};
