import type { ExecutionContextLike } from "@portico/core";

/** A fetch handler under test. */
export interface FetchTarget {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
}
