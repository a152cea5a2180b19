import { type FetchApp, hostErrorResponse } from "@portico/host";
import { defaultOnError, deployedOnVercel, webContext } from "./_context.ts";
import { resolveMaxDuration } from "./_max-duration.ts";
import type { VercelContextLike, VercelHandlerOptions } from "./_types.ts";

/** A Vercel Web handler: `(request, context?) => Response`, for the Node.js and Edge runtimes. */
export type VercelWebHandler = (request: Request, context?: VercelContextLike) => Promise<Response>;

/**
 * The exports of a Vercel function: one handler per method MCP uses, and `fetch` for all of them.
 * `export const { GET, POST, DELETE, OPTIONS } = handle(app)` and `export default handle(app)`
 * both work on the Node.js runtime; the Edge runtime takes the named exports.
 */
export interface VercelHandlers {
  GET: VercelWebHandler;
  POST: VercelWebHandler;
  DELETE: VercelWebHandler;
  OPTIONS: VercelWebHandler;
  fetch: VercelWebHandler;
}

/**
 * Vercel Function exports for a Fetch app (a Portico handler, a Hono app, a fetch router), on the
 * Node.js and Edge runtimes. The request goes to `app.fetch(request, opts.env, ctx)` untouched;
 * the response comes back as is, so SSE streams chunk by chunk. `ctx` carries `waitUntil` (the
 * handler's second argument, else Vercel's request context, where `@vercel/functions` finds it),
 * `requestId` (`x-vercel-id`), with `opts.maxDuration` a `deadline`, `multiInstance: true` and,
 * deployed (`VERCEL=1`, `VERCEL_ENV` production or preview), `routedHosts` with the request's host
 * (Vercel routed it by that host, so the core accepts it without `allowedHosts`) and `clientAddress`
 * from `x-real-ip`, which Vercel sets (never read under `vercel dev`). An app that throws
 * or returns something that is not a `Response` gets a 500 with a JSON-RPC error body and no detail.
 */
export function handle(app: FetchApp, opts: VercelHandlerOptions = {}): VercelHandlers {
  const onError = opts.onError ?? defaultOnError;
  const { env } = opts;
  const maxDuration = resolveMaxDuration(opts.maxDuration);
  const deployed = deployedOnVercel();
  const handler: VercelWebHandler = async (request, context) => {
    const ctx = webContext(request, context, maxDuration, deployed, onError);
    try {
      const response: unknown = await app.fetch(request, env, ctx);
      // Also a Response of another realm or fetch implementation.
      if (response instanceof Response || typeof (response as Response | null)?.headers?.get === "function") {
        return response as Response;
      }
      throw new TypeError("the app did not return a Response");
    } catch (error) {
      onError(error);
      return hostErrorResponse(500);
    }
  };
  return { GET: handler, POST: handler, DELETE: handler, OPTIONS: handler, fetch: handler };
}
