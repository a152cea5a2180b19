import type { AuthInfoLike, ExecutionContextLike, LambdaContextLike } from "./_types.ts";

/** What one invocation gives the app as `ctx`, plus the `waitUntil` promises to await before returning. */
export interface Invocation {
  ctx: ExecutionContextLike;
  /** Settles once every `ctx.waitUntil` promise has (rejections go to `onError`). */
  settled(): Promise<void>;
}

/**
 * Lambda context → request context: `awsRequestId` as the request id, `getRemainingTimeInMillis()` as
 * the deadline (the core fires the tool's signal `deadlineMarginMs` before it), the event's
 * authorizer as `authInfo`.
 */
export function invocation(
  context: LambdaContextLike | undefined,
  auth: AuthInfoLike | undefined,
  canStream: boolean,
  onError: (error: unknown) => void,
): Invocation {
  const pending: Promise<unknown>[] = [];
  const ctx: ExecutionContextLike = {
    waitUntil(promise) {
      pending.push(Promise.resolve(promise).catch(onError));
    },
    bufferedResponses: true,
    canStream,
  };
  if (context?.awsRequestId !== undefined) ctx.requestId = context.awsRequestId;
  const remaining = context?.getRemainingTimeInMillis?.();
  if (typeof remaining === "number" && Number.isFinite(remaining)) ctx.deadline = Date.now() + remaining;
  if (auth !== undefined) ctx.authInfo = auth;
  return {
    ctx,
    async settled() {
      // Work registered while waiting is waited for too.
      for (let done = 0; done < pending.length; done = pending.length) await Promise.all(pending.slice(done));
    },
  };
}

export function defaultOnError(error: unknown): void {
  console.error("[@portico/adapter-lambda] unhandled error:", error);
}

const READ_BUFFERED = Symbol.for("portico.readBufferedResponse");

interface BufferedParts {
  status: number;
  statusText: string;
  headers: Record<string, string> | Headers;
  body: string | null;
}

/** A Portico buffered response's parts (see `readBufferedResponse` in `@portico/core`), or `undefined`. */
export function readBuffered(response: Response): BufferedParts | undefined {
  const read = (response as unknown as { [READ_BUFFERED]?: () => BufferedParts | undefined })[READ_BUFFERED];
  return typeof read === "function" ? read.call(response) : undefined;
}

/** A JSON-RPC error body the adapter itself answers with (never any detail). */
export function adapterError(status: 400 | 500 | 504): Response {
  const messages = { 400: "Bad Request", 500: "Internal error", 504: "Gateway Timeout" } as const;
  const code = status === 400 ? -32600 : -32603;
  return new Response(
    JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message: messages[status] } }),
    {
      status,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
    },
  );
}
