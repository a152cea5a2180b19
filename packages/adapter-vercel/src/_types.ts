/** The shapes Vercel hands a function. The Fetch contract itself comes from `@portico/host`. */

/**
 * The second argument Vercel passes a Web handler: `{ waitUntil }` on the Edge runtime, a
 * `FetchEvent`-like object on the Node.js runtime (Vercel calls it deprecated in favour of
 * `@vercel/functions`, which reads the request context instead).
 */
export interface VercelContextLike {
  waitUntil?(promise: Promise<unknown>): void;
}

/** Options shared by every Vercel handler. */
export interface VercelHandlerOptions {
  /** Passed to `app.fetch` as its second argument. Default `undefined`. */
  env?: unknown;
  /**
   * The function's maximum duration in seconds: the same number as `maxDuration` in `vercel.json`
   * (or `export const config`). Each request's `ctx.deadline` is then its start plus this much, and
   * a Portico handler fires the tool's `ctx.signal` `deadlineMarginMs` (default 1 s) earlier and
   * ends long-lived streams with a retry hint. Default: no deadline. Above 0 and at most
   * 2147483.647 (2^31−1 ms, about 24.8 days, the longest a timer waits), else the handler throws a
   * `RangeError` when it is made.
   */
  maxDuration?: number;
  /** Told about app errors and rejected `waitUntil` promises. Default: `console.error`. */
  onError?: (error: unknown) => void;
}
