import {
  type AuthInfo,
  consoleErrorReporter,
  createTracker,
  type ExecutionContextLike,
  guardedWaitUntil,
  timerDeadline,
} from "@portico/host";
import type { LambdaContextLike } from "./_types.ts";

/** What one invocation gives the app as `ctx`, plus the `waitUntil` promises to await before returning. */
export interface Invocation {
  ctx: ExecutionContextLike;
  /**
   * Settles once every `ctx.waitUntil` promise has (rejections go to `onError`), or at `by` (epoch
   * ms) at the latest: work still pending then is abandoned, and `onError` is told.
   */
  settled(by?: number): Promise<void>;
}

/** The default `onError`: one `console.error` line tagged `[@portico/adapter-lambda]`. */
export const defaultOnError: (error: unknown) => void = consoleErrorReporter("@portico/adapter-lambda");

/**
 * Lambda context → request context: `awsRequestId` as the request id, `getRemainingTimeInMillis()` as
 * the deadline (the core fires the tool's signal `deadlineMarginMs` before it), the event's
 * authorizer as `authInfo`, the host API Gateway or the Function URL routed the event by as
 * `routedHosts` (the core's Host check accepts it without configuration), the event's `sourceIp`
 * as `clientAddress`, and `multiInstance`: Lambda runs many execution environments side by side.
 */
export function invocation(
  context: LambdaContextLike | undefined,
  auth: AuthInfo | undefined,
  routedHost: string | undefined,
  sourceIp: string | undefined,
  canStream: boolean,
  onError: (error: unknown) => void,
): Invocation {
  const pending = createTracker();
  const ctx: ExecutionContextLike = {
    waitUntil: guardedWaitUntil((guarded) => pending.add(guarded), onError),
    bufferedResponses: true,
    canStream,
    multiInstance: true,
  };
  if (context?.awsRequestId !== undefined) ctx.requestId = context.awsRequestId;
  const remaining = remainingOf(context);
  if (remaining !== undefined) ctx.deadline = Date.now() + remaining;
  if (auth !== undefined) ctx.authInfo = auth;
  if (routedHost !== undefined) ctx.routedHosts = [routedHost];
  if (sourceIp !== undefined) ctx.clientAddress = sourceIp;
  return {
    ctx,
    async settled(by) {
      // A deadline farther ahead than a timer can wait (a stand-in context) bounds nothing.
      if (!(await pending.settled(timerDeadline(by)))) {
        onError(
          new Error(
            "@portico/adapter-lambda: ctx.waitUntil work had not settled by the invocation's deadline; it was abandoned",
          ),
        );
      }
    },
  };
}

/** `getRemainingTimeInMillis()`, or `undefined` (no deadline known) when the context has none that works. */
function remainingOf(context: LambdaContextLike | undefined): number | undefined {
  const read = context?.getRemainingTimeInMillis;
  if (typeof read !== "function") return undefined;
  try {
    const remaining = read.call(context);
    return typeof remaining === "number" && Number.isFinite(remaining) ? remaining : undefined;
  } catch {
    return undefined;
  }
}
