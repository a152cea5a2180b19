/** A fetch app mounting the everything server at `/mcp`; every other path answers 404 JSON. */
import { createHandler, type HandlerOptions, type McpHandler } from "@portico/core";
import { createEverything, type EverythingOptions } from "./everything.ts";

export const MCP_PATH = "/mcp";

export interface EverythingApp {
  fetch(request: Request, env?: unknown, ctx?: unknown): Promise<Response>;
  /** Runs a dispatched task (the event of an asynchronous invocation, on Lambda). */
  runTask: McpHandler["runTask"];
  /** Stops the handler's event forwarding and the server's timers. */
  close(): void;
}

export function createEverythingApp(
  options: EverythingOptions & { handler?: HandlerOptions } = {},
): EverythingApp {
  const everything = createEverything(options);
  const mcp: McpHandler = createHandler(everything.server, {
    // A fixed secret keeps MRTR requestState valid across restarts of this test server only.
    secret: process.env.PORTICO_EVERYTHING_SECRET ?? "portico-everything-conformance-only",
    ...options.handler,
  });
  return {
    fetch(request, env, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname !== MCP_PATH) {
        return Promise.resolve(
          Response.json(
            { error: "not_found", message: `No route for ${pathname}; MCP is served at ${MCP_PATH}` },
            { status: 404 },
          ),
        );
      }
      return mcp.fetch(request, env, ctx as Parameters<McpHandler["fetch"]>[2]);
    },
    runTask: (job, env, ctx) => mcp.runTask(job, env, ctx),
    close() {
      mcp.close();
      everything.dispose();
    },
  };
}
