import type { ServerResponse } from "node:http";
import { MAX_TIMER_MS } from "@portico/host";

/** Default of `writeStallTimeoutMs`. */
export const DEFAULT_WRITE_STALL_MS = 60_000;

/**
 * Larger writes go out in slices of this many bytes (UTF-16 units for a string), one at a time, so
 * that each slice the client takes counts as progress: a slow reader of a large body is not cut,
 * and Node's buffer holds one slice, not the whole body, beyond the kernel's.
 */
export const SLICE = 64 * 1024;

/**
 * `writeStallTimeoutMs` checked: a number of milliseconds, 0 for no limit, at most what a timer
 * keeps (a longer stall timer would fire at once and cut every client that pauses).
 */
export function writeStallTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_WRITE_STALL_MS;
  if (typeof value !== "number" || !(value >= 0 && value <= MAX_TIMER_MS)) {
    throw new RangeError(
      `writeStallTimeoutMs must be a finite number of ms from 0 (no limit) to ${MAX_TIMER_MS} (about 24.8 days), got ${String(value)}`,
    );
  }
  return value;
}

/** Why a response's body is cancelled when its client took nothing for `writeStallTimeoutMs`. */
export function stalledReason(): DOMException {
  return new DOMException("The client stopped reading the response", "TimeoutError");
}

/**
 * Waits until `start(done)` sees progress (calls `done`) or `res` closes. If `stallMs` (0: no limit)
 * pass first, the client is taking nothing: `onStall` runs and `res` is destroyed, which ends the
 * wait. `start` may return a function that detaches what it attached.
 */
function progress(
  res: ServerResponse,
  stallMs: number,
  onStall: (() => void) | undefined,
  start: (done: () => void) => (() => void) | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let detach: (() => void) | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      res.off("close", done);
      detach?.();
      resolve();
    };
    res.on("close", done);
    detach = start(done);
    if (stallMs > 0) {
      timer = setTimeout(() => {
        onStall?.();
        res.destroy();
      }, stallMs);
      timer.unref();
    }
  });
}

/** Resolves once `res` can take more data (`'drain'`), or has closed; bounded by `stallMs`. */
export function drained(res: ServerResponse, stallMs: number, onStall?: () => void): Promise<void> {
  return progress(res, stallMs, onStall, (done) => {
    res.on("drain", done);
    return () => res.off("drain", done);
  });
}

/**
 * `res.end()` (already called or `end` run inside), resolved once the response is handed to the OS
 * (`'finish'`) or the socket closed; bounded by `stallMs`.
 */
export function finished(res: ServerResponse, stallMs: number, end: () => void): Promise<void> {
  return progress(res, stallMs, undefined, (done) => {
    res.on("finish", done);
    end();
    return () => res.off("finish", done);
  });
}

/** Writes `chunk` and resolves once it has left the process, or the socket closed; bounded by `stallMs`. */
export function flushed(
  res: ServerResponse,
  chunk: string | Uint8Array,
  stallMs: number,
  onStall?: () => void,
): Promise<void> {
  return progress(res, stallMs, onStall, (done) => {
    res.write(chunk, done);
    return undefined;
  });
}

/** Where the slice of `chunk` starting at `at` ends: never between the two halves of a surrogate pair. */
function sliceEnd(chunk: string | Uint8Array, at: number): number {
  const end = at + SLICE;
  if (end >= chunk.length) return chunk.length;
  if (typeof chunk === "string") {
    const unit = chunk.charCodeAt(end - 1);
    if (unit >= 0xd800 && unit <= 0xdbff) return end - 1;
  }
  return end;
}

/**
 * Writes a chunk larger than {@link SLICE} slice by slice, waiting for `'drain'` whenever Node's
 * buffer is full; with `flush`, also waits until the last slice has left the process. Each wait is
 * bounded by `stallMs`, so a client that takes nothing is cut (`onStall` runs first), while one that
 * takes a slice now and then is not.
 */
export async function writeSliced(
  res: ServerResponse,
  chunk: string | Uint8Array,
  stallMs: number,
  flush: boolean,
  onStall?: () => void,
): Promise<void> {
  for (let at = 0; at < chunk.length && !res.destroyed; ) {
    const end = sliceEnd(chunk, at);
    const slice = typeof chunk === "string" ? chunk.slice(at, end) : chunk.subarray(at, end);
    at = end;
    if (flush && at === chunk.length) await flushed(res, slice, stallMs, onStall);
    else if (!res.write(slice)) await drained(res, stallMs, onStall);
  }
}
