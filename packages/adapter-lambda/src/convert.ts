/** Named conversions, for code that drives the adapter's pieces itself (and for tests). */
import { toRealRequest } from "@portico/host";
import { strategyFor, strategyOf } from "./_detect.ts";
import type { EventKind, RequestOptions } from "./_strategy.ts";
import type { LambdaHttpEvent, LambdaHttpResult } from "./_types.ts";
import { responseParts } from "./handle.ts";

/** The kind of a Lambda HTTP event (`v1`, `v2` for HTTP API and Function URLs, `alb`), or `undefined`. */
export function eventKind(event: unknown): EventKind | undefined {
  return strategyFor(event)?.kind;
}

/** A Lambda HTTP event as a Fetch `Request`. @throws TypeError for an unknown or malformed event. */
export function toRequest(event: unknown, opts: RequestOptions = {}): Request {
  const strategy = strategyFor(event);
  if (strategy === undefined) throw new TypeError("not an API Gateway, Function URL or ALB event");
  return toRealRequest(strategy.toRequest(event as LambdaHttpEvent, opts));
}

/** A `Response` as the buffered result for `event`'s kind (ALB keeps the event's header mode). */
export async function toResult(response: Response, event: LambdaHttpEvent): Promise<LambdaHttpResult> {
  const strategy = strategyFor(event) ?? strategyOf("v2");
  const parts = await responseParts(response);
  if (parts === undefined) throw new Error("the response body did not end");
  return strategy.toResult(parts, event);
}
