/**
 * The fetch app both Lambda handlers serve: the quickstart's MCP server at `/mcp`, 404 elsewhere.
 * Independent of Lambda and DynamoDB, so it runs anywhere (tests use the in-memory stores).
 */
import {
  createHandler,
  type ExecutionContextLike,
  type HandlerOptions,
  type McpHandler,
} from "@portico/core";
import { createQuickstartServer } from "@portico/example-quickstart/tools";

export const MCP_PATH = "/mcp";

export interface QuickstartApp {
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
  /** The MCP handler itself (to `close()` it in tests). */
  readonly mcp: McpHandler;
}

export function createApp(options: HandlerOptions): QuickstartApp {
  const mcp = createHandler(createQuickstartServer(), options);
  return {
    mcp,
    fetch(request, env, ctx) {
      if (new URL(request.url).pathname === MCP_PATH) return mcp.fetch(request, env, ctx);
      return Promise.resolve(
        Response.json({ error: `Not found: the MCP endpoint is ${MCP_PATH}` }, { status: 404 }),
      );
    },
  };
}
