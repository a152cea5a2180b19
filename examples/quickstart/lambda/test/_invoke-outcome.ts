/**
 * What an invocation through the local Runtime API (see _runtime-api.ts) comes to: a buffered
 * answer, a stream as the runtime writes it, or an error.
 */

export interface OutcomeBase {
  requestId: string;
  /** The instance that took the invocation (none when it never reached one). */
  instance: number | undefined;
}

/** A buffered answer (`POST …/response` with the whole JSON body). */
export interface BufferedOutcome extends OutcomeBase {
  kind: "buffered";
  contentType: string;
  payload: string;
}

/** A streamed answer: the body as the runtime writes it, and how the stream ended. */
export interface StreamingOutcome extends OutcomeBase {
  kind: "streaming";
  /** The `Lambda-Runtime-Function-Response-Mode` header (`streaming`). */
  responseMode: string;
  contentType: string;
  /** The raw chunks, as they arrive. Read it to the end: the runtime waits for that. */
  body: ReadableStream<Uint8Array>;
  /** Settles once the body was read: its trailers, and whether it ended (not cut off). */
  end: Promise<{ trailers: Record<string, string>; complete: boolean }>;
}

/** The function failed: its init, the invocation, or the instance died or ran out of time. */
export interface ErrorOutcome extends OutcomeBase {
  kind: "error";
  phase: "init" | "invoke" | "exit" | "timeout";
  errorType: string;
  payload: string;
}

export type InvokeOutcome = BufferedOutcome | StreamingOutcome | ErrorOutcome;
