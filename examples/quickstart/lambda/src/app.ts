/**
 * The fetch app both Lambda handlers serve: the quickstart's MCP server at `/mcp`, 404 elsewhere.
 * With `oauth` (see auth.ts), the server is an OAuth resource server with the extra `whoami` tool,
 * and its Protected Resource Metadata (`/.well-known/oauth-protected-resource[/mcp]`) is served too.
 * `quickstart.taskDispatch` says where runs of the `report` task start (`invokeSelf()` when
 * deployed: an asynchronous invocation of the same function, which the adapter hands to `runTask`).
 * Independent of Lambda and DynamoDB, so it runs anywhere (tests use the in-memory stores).
 */
import {
  createHandler,
  type ExecutionContextLike,
  type HandlerOptions,
  type McpHandler,
} from "@portico/core";
import { addOAuth, METADATA_PATH, type OAuthConfig } from "@portico/example-quickstart/auth";
import { createQuickstartServer, type QuickstartOptions } from "@portico/example-quickstart/tools";
import type { Observer } from "@portico/observe";

export const MCP_PATH = "/mcp";

export interface QuickstartApp {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
  readonly acceptsBufferedRequests: true;
  /**
   * Runs one task job (`handle()` and `streamHandle()` call it for the events `invokeSelf()` sends):
   * resolves when the run ends, by finishing the tool or by handing it on near the deadline.
   */
  runTask(job: unknown, env?: unknown, ctx?: ExecutionContextLike): Promise<void>;
  /** The MCP handler itself (to `close()` it in tests). */
  readonly mcp: McpHandler;
}

/**
 * `ops` (optional, from `observe()`): logs, metrics and traces of every request — installed first,
 * so it sees every request and every other middleware, and given the handler's errors (`onError`).
 */
export function createApp(
  options: HandlerOptions,
  oauth?: OAuthConfig,
  quickstart: QuickstartOptions = {},
  ops?: Observer,
): QuickstartApp {
  const server = createQuickstartServer(quickstart);
  if (ops !== undefined) {
    server.use(ops);
    options = { ...options, onError: ops.onError };
  }
  const auth = oauth === undefined ? undefined : addOAuth(server, oauth);
  const mcp = createHandler(server, auth === undefined ? options : { ...options, auth });
  return {
    mcp,
    // This router reads only `request.url` and passes requests on: the adapter may hand it buffered
    // requests, and a cold start then never loads undici (see @portico/host).
    acceptsBufferedRequests: true,
    fetch(request, env, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname === MCP_PATH || (auth !== undefined && pathname.startsWith(METADATA_PATH))) {
        return mcp.fetch(request, env, ctx);
      }
      return Promise.resolve(
        Response.json({ error: `Not found: the MCP endpoint is ${MCP_PATH}` }, { status: 404 }),
      );
    },
    runTask: (job, env, ctx) => mcp.runTask(job, env, ctx),
  };
}
