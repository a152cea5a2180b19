/**
 * The quickstart's tools as a Cloudflare module worker. The MCP endpoint is `/mcp`; everything else
 * answers 404. Legacy-era sessions live in the `PorticoSessionObject` Durable Object (one object per
 * session); the modern era (2026-07-28) never touches it.
 *
 * Set `MCP_STATE_SECRET` (`wrangler secret put MCP_STATE_SECRET`, or `.dev.vars` locally) so every
 * isolate seals and opens the same MRTR `requestState`; without it each isolate uses its own
 * random secret, which is fine for `wrangler dev` (one isolate) only.
 *
 * Set `OAUTH_ISSUER` (and `MCP_RESOURCE`, optionally `OAUTH_JWKS_URL`) to require OAuth bearer
 * tokens: see auth.ts. The Protected Resource Metadata is then served under
 * `/.well-known/oauth-protected-resource` too.
 *
 * Every request writes one JSON line (`@portico/observe`, through `console`), with its `CF-Ray` as
 * `hostRequestId`: Workers Logs (`observability` in wrangler.jsonc) keeps them as structured logs.
 * `LOG_LEVEL` sets the lowest level written (`debug`, `info`, `warn`, `error`, `silent`).
 */
import { handle } from "@portico/adapter-workers";
import { createHandler, type HandlerOptions } from "@portico/core";
import { addOAuth, METADATA_PATH } from "@portico/example-quickstart/auth";
import { createQuickstartServer } from "@portico/example-quickstart/tools";
import { observe, parseLevel } from "@portico/observe";
import { durableObjectStores, PorticoSessionObject } from "@portico/store-durable-objects";
import { oauthConfigFrom } from "./auth.ts";

// A module worker exports only handlers and classes: the Durable Object class, and the default.
export { PorticoSessionObject };

const MCP_PATH = "/mcp";

/** The bindings of wrangler.jsonc (generated into worker-configuration.d.ts by `npm run types`) plus the secret. */
export interface QuickstartEnv extends Env {
  MCP_STATE_SECRET?: string;
}

export default handle<QuickstartEnv>((env) => {
  const ops = observe({ service: "portico-quickstart", level: parseLevel(env.LOG_LEVEL) });
  const server = createQuickstartServer();
  server.use(ops); // first: it sees every request and every other middleware
  const options: HandlerOptions = {
    stores: ops.stores(durableObjectStores(env.MCP_SESSIONS)),
    onError: ops.onError,
    // ALLOWED_HOSTS from wrangler.jsonc: custom domains and routes. None by default: the Worker's
    // *.workers.dev name is accepted as routed by Cloudflare, localhost names always are.
    allowedHosts: env.ALLOWED_HOSTS.split(",")
      .map((host) => host.trim())
      .filter((host) => host !== ""),
  };
  if (env.MCP_STATE_SECRET) options.secret = env.MCP_STATE_SECRET;
  const oauth = oauthConfigFrom(env);
  if (oauth) options.auth = addOAuth(server, oauth);
  const mcp = createHandler(server, options);
  return {
    fetch(request, workerEnv, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname === MCP_PATH || (oauth && pathname.startsWith(METADATA_PATH))) {
        return mcp.fetch(request, workerEnv, ctx);
      }
      return Response.json({ error: `Not found: the MCP endpoint is ${MCP_PATH}` }, { status: 404 });
    },
  };
});
