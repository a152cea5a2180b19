/** The largest buffered result each front door takes, as AWS measures it: UTF-8 bytes of the result's JSON. */
import type { EventKind } from "./_strategy.ts";
import type { LambdaHttpResult } from "./_types.ts";

/**
 * Lambda's synchronous response payload, "6 MB" (its `Function.ResponseSizeTooLarge` error names
 * 6291556 bytes), and an ALB target's response JSON, "1 MB" (read as 1 MiB: never refuse a result
 * the load balancer would take). Over them AWS answers the client a bare 502.
 */
export const RESULT_LIMITS: Readonly<Record<EventKind, number>> = {
  v1: 6_291_556,
  v2: 6_291_556,
  alb: 1_048_576,
};

const encoder = new TextEncoder();

/**
 * The result's size when it is over `limit`, else `undefined`. JSON writes at most 6 bytes per
 * UTF-16 unit of the body (`\u001f`), and headers are far below 64 KiB: a small body is not measured.
 */
export function oversize(result: LambdaHttpResult, limit: number): number | undefined {
  if (result.body.length * 6 + 65_536 <= limit) return undefined;
  const size = encoder.encode(JSON.stringify(result)).byteLength;
  return size > limit ? size : undefined;
}
