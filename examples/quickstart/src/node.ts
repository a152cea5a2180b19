/**
 * The quickstart on the Node adapter: http://127.0.0.1:3000/mcp (PORT overrides the port). Every
 * request writes one JSON line on stdout (`@portico/observe`; `LOG_LEVEL=warn` keeps only problems),
 * as the deployed quickstarts do.
 */
import { serve } from "@portico/adapter-node";
import { createHandler, type ExecutionContextLike, PorticoError } from "@portico/core";
import { observe } from "@portico/observe";
import { createQuickstartServer } from "./tools.ts";

try {
  // A mistake in a tool's definition (a schema with no JSON Schema form, a non-object input)
  // throws a PorticoError here, at startup, saying what to change.
  const ops = observe({ service: "portico-quickstart" });
  const quickstart = createQuickstartServer();
  quickstart.use(ops);
  const mcp = createHandler(quickstart, { onError: ops.onError });

  /** `env` and `ctx` pass through: the adapter's shutdown signal ends long-lived streams with a retry hint. */
  const app = {
    // This router reads only `request.url` and passes requests on: the adapter may hand it buffered
    // requests (no undici on the buffered path; see @portico/host).
    acceptsBufferedRequests: true,
    fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike) {
      const { pathname } = new URL(request.url);
      if (pathname === "/mcp") return mcp.fetch(request, env, ctx);
      return Promise.resolve(
        Response.json({ error: "Not found: the MCP endpoint is /mcp" }, { status: 404 }),
      );
    },
  };

  // The port comes from PORT (default 3000); a PORT that is no port is one line saying so.
  const server = await serve(app, {
    hostname: "127.0.0.1",
    handleSignals: true,
  });
  console.log(`Portico quickstart MCP server listening on ${server.url}/mcp`);
} catch (error) {
  // A definition mistake, a busy port, a bad PORT: one line saying what to do, no stack. Anything
  // else is a bug, and its stack is what helps.
  const usage =
    error instanceof PorticoError || error instanceof RangeError || (error as { code?: unknown }).code;
  if (!usage) throw error;
  console.error(`Portico quickstart: ${(error as Error).message}`);
  process.exit(1);
}
