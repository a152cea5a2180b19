/**
 * A Server-Sent Events reader over a response body: `data`, `id` and `retry` fields, comments
 * ignored, any line ending. Every block with a field is reported, including a priming event (an
 * `id` with empty data) and a lone `retry`, so the caller can follow the stream's position.
 */

export interface SseBlock {
  /** The joined `data:` lines; `""` when the block had none. */
  data: string;
  id?: string;
  retry?: number;
}

/** An event bigger than this ends the stream with an error instead of growing without bound. */
const MAX_EVENT_CHARS = 64 * 1024 * 1024;

export class SseTooLargeError extends Error {
  constructor() {
    super(`an SSE event exceeded ${MAX_EVENT_CHARS} characters`);
    this.name = "SseTooLargeError";
  }
}

/**
 * Yields the blocks of `body` until it ends. Aborting `signal` cancels the body at once, even while
 * a read is pending (which ending the iteration from outside could not do), and ends the iteration.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): AsyncGenerator<SseBlock> {
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  if (signal.aborted) cancel();
  else signal.addEventListener("abort", cancel, { once: true });
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  let dataChars = 0;
  let block: { id?: string; retry?: number } = {};
  let seen = false;
  let pendingCR = false;

  function* lines(text: string): Generator<string> {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // "\r\n" split across chunks: the "\n" after a chunk ending in "\r" is not a second line.
      if (c === 10 && pendingCR && i === 0) {
        pendingCR = false;
        start = 1;
        continue;
      }
      yield text.slice(start, i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
    pendingCR = text.charCodeAt(text.length - 1) === 13;
    buffer = text.slice(start);
  }

  const field = (line: string): SseBlock | undefined => {
    if (line === "") {
      if (!seen) return undefined;
      const out: SseBlock = { data: data.join("\n"), ...block };
      data = [];
      dataChars = 0;
      block = {};
      seen = false;
      return out;
    }
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") {
      dataChars += value.length;
      if (dataChars > MAX_EVENT_CHARS) throw new SseTooLargeError();
      data.push(value);
      seen = true;
    } else if (name === "id") {
      if (!value.includes("\0")) block.id = value;
      seen = true;
    } else if (name === "retry") {
      if (/^\d+$/.test(value)) block.retry = Number(value);
      seen = true;
    }
    return undefined;
  };

  try {
    while (true) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      const pending = buffer + text;
      if (pending.length > MAX_EVENT_CHARS) throw new SseTooLargeError();
      for (const line of lines(pending)) {
        const out = field(line);
        if (out !== undefined) yield out;
      }
      if (done) {
        // A stream that ends mid-event dispatches nothing more (as EventSource does).
        return;
      }
    }
  } finally {
    signal.removeEventListener("abort", cancel);
    cancel();
  }
}
