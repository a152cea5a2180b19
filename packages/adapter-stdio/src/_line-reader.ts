/**
 * Newline-delimited framing of the input stream, bounded: a line longer than `maxLineBytes` is
 * reported once (as soon as it crosses the limit) and the rest of it, up to its newline, is
 * discarded without being held in memory.
 */
import type { Readable } from "node:stream";

/** What the reader reports: a complete line (without its `\n` or `\r\n`), or an over-long one. */
export type LineEvent = { kind: "line"; text: string } | { kind: "too-long"; limit: number };

export interface LineReaderHandlers {
  onEvent(event: LineEvent): void;
  /** The input ended (EOF) or failed; called once. */
  onEnd(error?: unknown): void;
  /**
   * Asked after each chunk: a promise while what the lines produced is not written yet (the output
   * is full). Reading pauses until it settles, so a client that does not read cannot make the
   * server hold answers for everything it sends.
   */
  backlog?(): Promise<void> | undefined;
}

const NEWLINE = 0x0a;

/** Starts reading `input`; returns the function that stops (listeners removed, input paused). */
export function readLines(input: Readable, maxLineBytes: number, handlers: LineReaderHandlers): () => void {
  let parts: Buffer[] = [];
  let size = 0;
  let discarding = false;
  let ended = false;

  const emitLine = (last: Buffer): void => {
    const whole = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    parts = [];
    size = 0;
    let text = whole.toString("utf8");
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() !== "") handlers.onEvent({ kind: "line", text });
  };

  /** Adds bytes of the current line; crossing the limit reports it and starts discarding. */
  const append = (bytes: Buffer): void => {
    if (discarding || bytes.length === 0) return;
    if (size + bytes.length > maxLineBytes) {
      parts = [];
      size = 0;
      discarding = true;
      handlers.onEvent({ kind: "too-long", limit: maxLineBytes });
      return;
    }
    parts.push(bytes);
    size += bytes.length;
  };

  const onData = (chunk: Buffer | string): void => {
    let bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    let index = bytes.indexOf(NEWLINE);
    while (index !== -1) {
      const head = bytes.subarray(0, index);
      if (discarding) discarding = false;
      else if (size + head.length > maxLineBytes) {
        parts = [];
        size = 0;
        handlers.onEvent({ kind: "too-long", limit: maxLineBytes });
      } else emitLine(head);
      bytes = bytes.subarray(index + 1);
      index = bytes.indexOf(NEWLINE);
    }
    // Copy what stays behind: a subarray would pin the whole chunk.
    append(Buffer.from(bytes));
    const backlog = handlers.backlog?.();
    if (backlog === undefined || ended) return;
    input.pause();
    void backlog.then(() => {
      if (!ended) input.resume();
    });
  };

  const finish = (error?: unknown): void => {
    if (ended) return;
    ended = true;
    detach();
    // A last line without a trailing newline is still a message.
    if (error === undefined && !discarding && size > 0) emitLine(Buffer.alloc(0));
    handlers.onEnd(error);
  };
  const onEnd = (): void => finish();
  const onError = (error: unknown): void => finish(error);
  const onClose = (): void => finish();

  function detach(): void {
    input.off("data", onData);
    input.off("end", onEnd);
    input.off("error", onError);
    input.off("close", onClose);
  }

  input.on("data", onData);
  input.on("end", onEnd);
  input.on("error", onError);
  input.on("close", onClose);
  input.resume();

  return () => {
    if (ended) return;
    ended = true;
    detach();
    // Swallow late errors of a stream nobody listens to any more.
    input.on("error", () => {});
    input.pause();
  };
}
