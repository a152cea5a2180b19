import type { ExecutionContextLike } from "@portico/core";

/** A fetch handler under test. */
export interface FetchTarget {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
  /** The target reads requests by their members only (see `FetchHandler` of @portico/host). */
  readonly acceptsBufferedRequests?: boolean;
}
