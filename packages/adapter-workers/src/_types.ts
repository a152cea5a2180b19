import type { AuthInfo, ExecutionContextLike } from "@portico/core";

export type { ExecutionContextLike };
export type AuthInfoLike = AuthInfo;

/** Any object with a Web Fetch `fetch` method: a Portico handler, a Hono app, a fetch router. */
export interface FetchApp {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response> | Response;
}
