/**
 * A Server-Sent Events reader for tests: parses a response body per the WHATWG event-stream rules
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
 * and yields each event as soon as its closing blank line arrives.
 */

/**
 * One dispatched event. `id`, `event` and `retry` are present only when the event's own block set
 * them (an `id` is not carried over to later events as a browser's `lastEventId` would be); an
 * empty `event:` field counts as absent (the type is then "message").
 */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

/** A comment line (`: text`), surfaced only with `{ comments: true }`; one leading space is removed. */
export interface SseComment {
  comment: string;
}

export type SseSource = Response | ReadableStream<Uint8Array>;

export interface ReadSseOptions {
  /** Also yield comment lines as `{ comment }` items. */
  comments?: boolean;
  /**
   * Also yield blocks that carry `id`, `event` or `retry` but no `data` line (with `data: ""`).
   * The WHATWG rules drop those; tests of priming or retry-only blocks may want to see them.
   */
  allBlocks?: boolean;
  /** Aborting cancels the body and makes the iterator throw the abort reason. */
  signal?: AbortSignal;
}

export interface CollectSseOptions<T> extends Omit<ReadSseOptions, "signal"> {
  /** Stop (and cancel the body) after the first item for which this returns true; it is included. */
  until?(item: T): boolean;
  /** Fail with `SseTimeoutError` if the stream has not ended (or `until` matched) by then. Default 10 000. */
  timeoutMs?: number;
}

/** `collectSse` ran out of time; `items` holds what had arrived. */
export class SseTimeoutError extends Error {
  readonly items: readonly (SseEvent | SseComment)[];
  constructor(timeoutMs: number, items: readonly (SseEvent | SseComment)[]) {
    super(`SSE stream did not finish within ${timeoutMs} ms (received ${items.length} item(s))`);
    this.name = "SseTimeoutError";
    this.items = items;
  }
}

/**
 * Parses text that arrives in arbitrary pieces; `feed` returns the items completed by each piece.
 * Line endings CRLF, LF and CR are all recognised, including a CRLF split between two pieces.
 */
export class SseParser {
  readonly #comments: boolean;
  readonly #allBlocks: boolean;
  #partial = "";
  #afterCr = false;
  #data = "";
  #event = "";
  #id: string | undefined;
  #retry: number | undefined;

  constructor(options: Pick<ReadSseOptions, "comments" | "allBlocks"> = {}) {
    this.#comments = options.comments === true;
    this.#allBlocks = options.allBlocks === true;
  }

  feed(text: string): (SseEvent | SseComment)[] {
    const out: (SseEvent | SseComment)[] = [];
    let i = 0;
    if (this.#afterCr && text.length > 0) {
      this.#afterCr = false;
      if (text.charCodeAt(0) === 10) i = 1;
    }
    let lineStart = i;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(this.#partial + text.slice(lineStart, i), out);
      this.#partial = "";
      if (c === 13) {
        if (i + 1 === text.length) this.#afterCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      lineStart = i + 1;
    }
    this.#partial += text.slice(lineStart);
    return out;
  }

  #line(line: string, out: (SseEvent | SseComment)[]): void {
    if (line === "") {
      this.#dispatch(out);
      return;
    }
    if (line.charCodeAt(0) === 58 /* ":" */) {
      if (this.#comments) out.push({ comment: stripSpace(line.slice(1)) });
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : stripSpace(line.slice(colon + 1));
    if (field === "data") this.#data += value + "\n";
    else if (field === "event") this.#event = value;
    else if (field === "id") {
      if (!value.includes("\0")) this.#id = value;
    } else if (field === "retry" && /^[0-9]+$/.test(value)) this.#retry = Number(value);
  }

  #dispatch(out: (SseEvent | SseComment)[]): void {
    const data = this.#data;
    const extra = this.#id !== undefined || this.#retry !== undefined || this.#event !== "";
    if (data !== "" || (this.#allBlocks && extra)) {
      const event: SseEvent = { data: data.endsWith("\n") ? data.slice(0, -1) : data };
      if (this.#id !== undefined) event.id = this.#id;
      if (this.#event !== "") event.event = this.#event;
      if (this.#retry !== undefined) event.retry = this.#retry;
      out.push(event);
    }
    this.#data = "";
    this.#event = "";
    this.#id = undefined;
    this.#retry = undefined;
  }
}

function stripSpace(value: string): string {
  return value.charCodeAt(0) === 32 ? value.slice(1) : value;
}

function bodyOf(source: SseSource): ReadableStream<Uint8Array> | null {
  return typeof (source as ReadableStream<Uint8Array>).getReader === "function"
    ? (source as ReadableStream<Uint8Array>)
    : (source as Response).body;
}

/**
 * Yields the events of an SSE body as they complete. A UTF-8 BOM is skipped, invalid bytes become
 * U+FFFD, and an unterminated last event is discarded (as the WHATWG rules say). Leaving the loop
 * early (`break`, `return`, a throw) cancels the body.
 */
export function readSse(
  source: SseSource,
  options?: ReadSseOptions & { comments?: false },
): AsyncGenerator<SseEvent, void, undefined>;
export function readSse(
  source: SseSource,
  options: ReadSseOptions,
): AsyncGenerator<SseEvent | SseComment, void, undefined>;
export async function* readSse(
  source: SseSource,
  options: ReadSseOptions = {},
): AsyncGenerator<SseEvent | SseComment, void, undefined> {
  const { signal } = options;
  signal?.throwIfAborted();
  const stream = bodyOf(source);
  if (stream === null) return;
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser(options);
  const onAbort = (): void => {
    reader.cancel(signal?.reason).catch(() => {});
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) {
        finished = true;
        break;
      }
      for (const item of parser.feed(decoder.decode(chunk.value, { stream: true }))) yield item;
    }
    signal?.throwIfAborted();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * Reads an SSE body into an array: to its end, or through the first item `until` accepts (then
 * the body is cancelled). Throws `SseTimeoutError` after `timeoutMs` (default 10 000; `Infinity`
 * waits forever).
 */
export function collectSse(
  source: SseSource,
  options?: CollectSseOptions<SseEvent> & { comments?: false },
): Promise<SseEvent[]>;
export function collectSse(
  source: SseSource,
  options: CollectSseOptions<SseEvent | SseComment>,
): Promise<(SseEvent | SseComment)[]>;
export async function collectSse(
  source: SseSource,
  options: CollectSseOptions<SseEvent | SseComment> = {},
): Promise<(SseEvent | SseComment)[]> {
  const { until, timeoutMs = 10_000, ...readOptions } = options;
  const items: (SseEvent | SseComment)[] = [];
  const controller = new AbortController();
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => controller.abort(new SseTimeoutError(timeoutMs, items)), timeoutMs)
    : undefined;
  try {
    for await (const item of readSse(source, { ...readOptions, signal: controller.signal })) {
      items.push(item);
      if (until?.(item)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return items;
}
