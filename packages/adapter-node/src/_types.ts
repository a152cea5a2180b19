/**
 * The Fetch contract every Portico adapter speaks. Declared structurally here so the adapter needs no
 * runtime import of `@portico/core`; core exports identical types.
 */

/** What the host gives a handler besides the request. Every member is optional. */
export interface ExecutionContextLike {
  /** Keeps the host alive until `promise` settles (work that outlives the response). */
  waitUntil?(promise: Promise<unknown>): void;
  /**
   * Aborted when the host wants the handler to wrap up (graceful shutdown or deadline); long-lived SSE
   * streams then close with a retry hint.
   */
  signal?: AbortSignal;
  /** Epoch ms by which the response must be complete, if the host has one. */
  deadline?: number;
  /** Host request id, for logs. */
  requestId?: string;
  /** The adapter writes buffered responses itself (see `readBufferedResponse` in `@portico/core`). */
  bufferedResponses?: boolean;
}

/** Any object with a Web Fetch `fetch` method: a Portico server, a Hono app, a fetch router. */
export interface FetchApp {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response> | Response;
}
