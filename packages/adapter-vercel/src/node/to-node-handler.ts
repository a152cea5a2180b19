import type { IncomingMessage, ServerResponse } from "node:http";
import { toNodeHandler as nodeHandler } from "@portico/adapter-node";
import type { ExecutionContextLike, FetchApp } from "@portico/host";
import {
  deadlineOf,
  defaultOnError,
  deployedOnVercel,
  platformContext,
  requestContextWaitUntil,
  vercelRequestId,
} from "../_context.ts";
import { resolveMaxDuration } from "../_max-duration.ts";
import type { VercelHandlerOptions } from "../_types.ts";
import { restoreRawBody } from "./_helpers-body.ts";

/** Options of {@link toNodeHandler}. */
export interface VercelNodeHandlerOptions extends VercelHandlerOptions {
  /**
   * Build `request.url` from `X-Forwarded-Proto` / `X-Forwarded-Host`, which Vercel's proxy sets.
   * Default `true`.
   */
  trustProxy?: boolean;
}

/** The legacy Vercel signature: `export default function handler(req: VercelRequest, res: VercelResponse)`. */
export type VercelNodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A handler for Vercel's Node.js signature `(req, res)`, for a Fetch app: the request is converted
 * and the response written by `@portico/adapter-node` (streamed chunk by chunk, with backpressure;
 * buffered Portico answers in one write). A body that Vercel's helpers already read is taken back
 * byte for byte. `ctx` carries `waitUntil` (Vercel's request context), `requestId` (`x-vercel-id`,
 * else `X-Request-Id` or a UUID), with `opts.maxDuration` a `deadline`, `multiInstance: true` and,
 * deployed, `routedHosts` with the request's host and `clientAddress` from `x-real-ip` (as `handle`
 * does; not the socket's peer, which is Vercel's proxy, nor `X-Forwarded-For`, which `trustProxy`
 * believes for the URL only). Never rejects: an app error
 * becomes a 500 with a JSON-RPC error body and no detail.
 */
export function toNodeHandler(app: FetchApp, opts: VercelNodeHandlerOptions = {}): VercelNodeHandler {
  const onError = opts.onError ?? defaultOnError;
  const maxDuration = resolveMaxDuration(opts.maxDuration);
  const deployed = deployedOnVercel();
  const vercelApp: FetchApp = {
    // Requests pass through untouched: buffered ones only if the app takes them.
    acceptsBufferedRequests: app.acceptsBufferedRequests === true,
    fetch(request, env, nodeCtx) {
      const ctx: ExecutionContextLike = { bufferedResponses: true };
      platformContext(ctx, request, deployed);
      if (nodeCtx?.waitUntil !== undefined) ctx.waitUntil = nodeCtx.waitUntil;
      if (nodeCtx?.signal !== undefined) ctx.signal = nodeCtx.signal;
      const requestId = vercelRequestId(request.headers.get("x-vercel-id")) ?? nodeCtx?.requestId;
      if (requestId !== undefined) ctx.requestId = requestId;
      const deadline = deadlineOf(Date.now(), maxDuration);
      if (deadline !== undefined) ctx.deadline = deadline;
      return app.fetch(request, env, ctx);
    },
  };
  const handler = nodeHandler(vercelApp, {
    env: opts.env,
    trustProxy: opts.trustProxy ?? true,
    onError,
    // Called in the request's async context, where Vercel's request context is the current one.
    waitUntil: (promise) => requestContextWaitUntil()?.(promise),
  });
  return async (req, res) => {
    try {
      await restoreRawBody(req);
    } catch (error) {
      onError(error);
    }
    await handler(req, res);
  };
}
