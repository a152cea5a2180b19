/**
 * A small reader of `text/event-stream` bodies: yields each event's `data` (the `data:` lines
 * joined by newlines) with its `id`, as the HTML standard's event-stream parsing describes. An
 * event (with its unfinished line) longer than `max` characters (no more than its bytes) throws.
 * With a `signal`, a read still waiting when it aborts throws its reason and the body is cancelled
 * (a `fetch` option whose body does not end on abort cannot hold the call past its timeout).
 */
import { tooLarge } from "./body.ts";
import { MAX_MESSAGE_BYTES } from "./errors.ts";

export interface SseEvent {
  /** The `event:` field; `"message"` when absent. */
  event: string;
  data: string;
  /** The last `id:` field seen on the stream so far, if any. */
  id: string | undefined;
}

/**
 * The events of an SSE body, in order. Cancels the body when the consumer stops early, or when
 * `signal` aborts (then its reason is thrown).
 */
/** The UTF-8 length of `text` from `from` to `to` (a surrogate pair is 4 bytes, 2 for each half). */
function utf8Bytes(text: string, from: number, to: number): number {
  let bytes = to - from;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

export async function* readSse(
  body: ReadableStream<Uint8Array>,
  max = MAX_MESSAGE_BYTES,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  // Cancelling the reader ends a read that is waiting (it resolves as done) whatever the body's
  // source does: a body that ignores the request's abort still ends. One listener per stream (a
  // race of each read against a lasting promise would keep every chunk read reachable).
  const onAbort = (): void => void reader.cancel().catch(() => {});
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  const decoder = new TextDecoder();
  let buffer = "";
  /** How much of `buffer` was scanned for line ends (without finding one). */
  let scanned = 0;
  let data: string[] = [];
  /** The UTF-8 bytes of the event's `data` so far. */
  let size = 0;
  /** The UTF-8 bytes of `buffer` (kept as text is added and taken, so each character is counted twice at most). */
  let bufferBytes = 0;
  let event = "";
  let lastId: string | undefined;
  let first = true;
  let finished = false;

  const takeLine = (line: string): SseEvent | undefined => {
    if (line === "") {
      if (data.length === 0) {
        event = "";
        return undefined;
      }
      const out: SseEvent = { event: event === "" ? "message" : event, data: data.join("\n"), id: lastId };
      data = [];
      size = 0;
      event = "";
      return out;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      data.push(value);
      size += utf8Bytes(value, 0, value.length) + 1;
    } else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) lastId = value;
    return undefined;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (done) {
        signal?.throwIfAborted();
        finished = true;
      }
      buffer += text;
      bufferBytes += utf8Bytes(text, 0, text.length);
      if (first && buffer.length > 0) {
        if (buffer.charCodeAt(0) === 0xfeff) {
          buffer = buffer.slice(1);
          bufferBytes -= 3;
        }
        first = false;
      }
      // Split on CRLF, LF or CR; a trailing CR may be the first half of a CRLF, so wait for more.
      // Scanning resumes where the previous chunk's scan stopped: a long line is scanned once.
      let start = 0;
      let i = scanned;
      for (; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        if (c === 13 && i === buffer.length - 1 && !finished) break;
        const line = buffer.slice(start, i);
        if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
        const out = takeLine(line);
        if (out !== undefined) yield out;
      }
      bufferBytes -= utf8Bytes(buffer, 0, start);
      buffer = buffer.slice(start);
      scanned = i - start;
      if (bufferBytes + size > max) throw tooLarge(max);
      if (finished) {
        // An event not terminated by a blank line at the end of the stream is discarded (per spec).
        return;
      }
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) {
      // A body that ignored the abort may not settle its cancellation either: not waited for.
      const cancelled = reader.cancel().catch(() => {});
      if (!signal?.aborted) await cancelled;
    }
    reader.releaseLock();
  }
}
