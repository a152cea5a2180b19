/**
 * The everything server as a module worker: legacy sessions, event logs and the bus in the
 * `PorticoSessionObject` Durable Object, served through `handle()`. Every other path answers 404.
 */
import { handle } from "@portico/adapter-workers";
import { createHandler } from "@portico/core";
import { durableObjectStores, PorticoSessionObject } from "@portico/store-durable-objects";
import { MCP_PATH } from "../src/app.ts";
import { createEverythingServer } from "../src/everything.ts";

export { PorticoSessionObject };

interface EverythingEnv {
  MCP_SESSIONS: DurableObjectNamespace<PorticoSessionObject>;
  /** Fixed for the conformance run (src/_target-workers.ts), so MRTR state verifies in every isolate. */
  PORTICO_EVERYTHING_SECRET: string;
}

export default handle<EverythingEnv>((env) => {
  const mcp = createHandler(createEverythingServer(), {
    stores: durableObjectStores(env.MCP_SESSIONS),
    secret: env.PORTICO_EVERYTHING_SECRET,
  });
  return {
    fetch(request, workerEnv, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname === MCP_PATH) return mcp.fetch(request, workerEnv, ctx);
      return Response.json(
        { error: "not_found", message: `No route for ${pathname}; MCP is served at ${MCP_PATH}` },
        { status: 404 },
      );
    },
  };
});
