/** Bounded reading of answers: nothing the harness reads may wait forever. */
import type { Answer } from "./transport.ts";

export class TimeoutError extends Error {
  override name = "TimeoutError";
}

/** `promise`, or a {@link TimeoutError} after `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads an answer's body chunk by chunk. `onChunk` returns `true` to stop early (the answer is
 * then cancelled); a body still open after `timeoutMs` is cancelled and a {@link TimeoutError}
 * thrown.
 */
export async function readChunks(
  answer: Answer,
  timeoutMs: number,
  onChunk: (chunk: Uint8Array) => boolean | Promise<boolean>,
): Promise<void> {
  if (answer.body === null) return;
  const iterator = answer.body[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new TimeoutError(`the body did not end within ${timeoutMs} ms`);
      const next = await within(iterator.next(), left, "body");
      if (next.done) return;
      if (await onChunk(next.value)) {
        answer.cancel();
        return;
      }
    }
  } catch (error) {
    answer.cancel();
    throw error;
  }
}

/** The whole body as text (UTF-8, invalid bytes replaced). */
export async function readWhole(answer: Answer, timeoutMs = 10_000): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  await readChunks(answer, timeoutMs, (chunk) => {
    text += decoder.decode(chunk, { stream: true });
    return false;
  });
  return text + decoder.decode();
}
