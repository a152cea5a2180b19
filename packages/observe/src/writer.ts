/**
 * Lines out of the process at the cost of one write for many: lines written in the same turn of the
 * event loop (the request lines and EMF documents of every request that finished in it) leave in
 * one `write` at its end. A warn or error line goes out at once, with everything before it, and so
 * does a batch that reaches 64 KB (and every batch at `flushLines()`); whatever is left is written
 * when the process exits. Writing is synchronous (Node writes stdout to files and pipes
 * synchronously on Linux), so nothing piles up.
 */

import { quietly } from "./quietly.ts";

/** Writes one line (without its `\n`); `urgent` lines go out at once. */
export interface LineWriter {
  (line: string, urgent?: boolean): void;
  /** Writes what is waiting now. */
  flush(): void;
}

const MAX_BATCH = 64 * 1024;

interface ProcessLike {
  stdout?: { write(text: string): unknown };
  once?(event: "exit", listener: () => void): unknown;
}

const processOf = () => (globalThis as { process?: ProcessLike }).process;

/** Schedules `work` after the current turn's I/O (`setImmediate` where there is one). */
function afterThisTurn(work: () => void): void {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (typeof immediate === "function") immediate(work);
  else setTimeout(work, 0);
}

/** What the module knows of each batching writer. */
interface Batching {
  flush(): void;
  /** Settles once the lines waiting now are written; `undefined` when none are waiting. */
  written(): Promise<void> | undefined;
}

/** Every batching writer: flushed together when the process exits (one `exit` listener for all). */
const writers = new Set<Batching>();
let listening = false;

function register(writer: Batching): void {
  writers.add(writer);
  if (listening) return;
  listening = true;
  processOf()?.once?.("exit", flushLines);
}

/**
 * Writes every batching writer's waiting lines now. A streamed answer's lines are written just
 * before its last event leaves: the host may end the invocation (Lambda: freeze the instance) as
 * soon as that event is out, before the end of this turn.
 */
export function flushLines(): void {
  for (const w of writers) w.flush();
}

/**
 * Settles once the lines waiting in every batching writer now are written (at the end of this
 * turn); `undefined` when none are waiting. Handed to a request's `waitUntil`, it keeps the
 * invocation open until its lines are out: Lambda's `handle()` returns, and Vercel ends the
 * function, only after it settles.
 */
export function linesWritten(): Promise<void> | undefined {
  const pending: Promise<void>[] = [];
  for (const w of writers) {
    const p = w.written();
    if (p !== undefined) pending.push(p);
  }
  if (pending.length === 0) return undefined;
  return pending.length === 1 ? pending[0] : Promise.all(pending).then(() => {});
}

/** A batching writer over `write` (which receives whole lines, each ending in `\n`). */
export function batchedWriter(write: (chunk: string) => void): LineWriter {
  let lines: string[] = [];
  let bytes = 0;
  let scheduled = false;
  /** The promise `written()` gave for the lines waiting now, and how to settle it. */
  let waited: { promise: Promise<void>; settle: () => void } | undefined;
  const flush = () => {
    scheduled = false;
    const settle = waited?.settle;
    waited = undefined;
    if (lines.length > 0) {
      const chunk = `${lines.join("\n")}\n`;
      lines = [];
      bytes = 0;
      try {
        quietly(write(chunk));
      } catch {
        // Logging must never fail the work it describes.
      }
    }
    settle?.();
  };
  const written = (): Promise<void> | undefined => {
    if (lines.length === 0) return undefined;
    if (waited === undefined) {
      let settle = () => {};
      const promise = new Promise<void>((resolve) => {
        settle = resolve;
      });
      waited = { promise, settle };
    }
    return waited.promise;
  };
  const writer = (line: string, urgent = false) => {
    lines.push(line);
    bytes += line.length + 1;
    if (urgent || bytes >= MAX_BATCH) flush();
    else if (!scheduled) {
      scheduled = true;
      afterThisTurn(flush);
    }
  };
  register({ flush, written });
  return Object.assign(writer, { flush });
}

let stdout: LineWriter | undefined;

/**
 * The process's stdout as a batching writer — one per process, shared by the default log sink and
 * `emfMetrics()`, so their lines keep their order. `undefined` where there is no usable
 * `process.stdout` (Workers, browsers): use `console` there.
 */
export function stdoutWriter(): LineWriter | undefined {
  // Workers with Node compatibility have a `process.stdout` whose writes reach the log as
  // `stdout: …` text: there, `console` keeps a line JSON.
  const agent = (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent;
  if (agent === "Cloudflare-Workers") return undefined;
  const out = processOf()?.stdout;
  if (out === undefined || typeof out.write !== "function") return undefined;
  stdout ??= batchedWriter((chunk) => out.write(chunk));
  return stdout;
}
