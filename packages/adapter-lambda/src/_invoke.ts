import { type AuthInfo, type FetchApp, hostErrorResponse, isResponse, toRealRequest } from "@portico/host";
import { strategyFor } from "./_detect.ts";
import { type Invocation, invocation } from "./_host.ts";
import type { EventStrategy, RequestOptions } from "./_strategy.ts";
import type { LambdaContextLike, LambdaHttpEvent } from "./_types.ts";

/** What one event came to: a malformed event (answer 400 in its kind, if known), or the app's response. */
export type Invoked =
  | { ok: false; strategy: EventStrategy | undefined }
  | { ok: true; strategy: EventStrategy; event: LambdaHttpEvent; response: Response; run: Invocation };

/**
 * The part both handlers share: detect the event kind, convert the event (a buffered request for an
 * app that `acceptsBufferedRequests`, such as a Portico handler; a real one otherwise), call the app with the
 * invocation's `ctx` (the event's auth, routed host and source address, `multiInstance`; an app
 * that throws or returns something that is not a `Response` becomes a 500 without detail, reported
 * to `onError`).
 */
export async function invokeApp(
  app: FetchApp,
  opts: RequestOptions & { env?: unknown },
  event: unknown,
  context: LambdaContextLike | undefined,
  canStream: boolean,
  onError: (error: unknown) => void,
): Promise<Invoked> {
  const strategy = strategyFor(event);
  if (strategy === undefined) return { ok: false, strategy };
  const httpEvent = event as LambdaHttpEvent;
  let request: Request;
  let auth: AuthInfo | undefined;
  let routedHost: string | undefined;
  let sourceIp: string | undefined;
  try {
    request = strategy.toRequest(httpEvent, opts);
    // A buffered request (no undici on Node) only for apps that say they read requests by members.
    if (app.acceptsBufferedRequests !== true) request = toRealRequest(request);
    auth = strategy.authOf(httpEvent);
    routedHost = strategy.routedHostOf(httpEvent);
    sourceIp = strategy.sourceIpOf(httpEvent);
  } catch {
    return { ok: false, strategy };
  }
  const run = invocation(context, auth, routedHost, sourceIp, canStream, onError);
  let response: Response;
  try {
    response = await app.fetch(request, opts.env, run.ctx);
    // Also a Response of another realm or fetch implementation.
    if (!isResponse(response) && typeof (response as Response | null)?.headers?.get !== "function") {
      throw new TypeError("the app did not return a Response");
    }
  } catch (error) {
    onError(error);
    response = hostErrorResponse(500);
  }
  return { ok: true, strategy, event: httpEvent, response, run };
}
