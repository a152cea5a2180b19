/**
 * The quickstart's MCP server with the deployment's configuration, read from the environment:
 * `REQUEST_STATE_SECRET` (required on Vercel), `ALLOWED_HOSTS`, `ALLOWED_ORIGINS`, the stores, and
 * OAuth (`OAUTH_ISSUER`, `MCP_RESOURCE`, `OAUTH_JWKS_URL`; see auth.ts and {@link oauthConfigFrom}).
 * Under a plain `vercel dev` with no stores configured, the adapter's dev daemon provides shared
 * stores and a shared secret (`vercelDevDefaults`), so both eras work with nothing set.
 *
 * Every request writes one JSON line to stdout (`@portico/observe`), with its `x-vercel-id` as
 * `hostRequestId`: Vercel's runtime logs keep them. `LOG_LEVEL` sets the lowest level written
 * (`debug`, `info` by default, `warn`, `error`, `silent`).
 */
import { vercelDevDefaults } from "@portico/adapter-vercel/dev";
import { createHandler, type McpHandler } from "@portico/core";
import { observe, parseLevel } from "@portico/observe";
import { addOAuth, METADATA_PATH, type OAuthConfig } from "../../src/auth.ts";
import { createQuickstartServer } from "../../src/tools.ts";
import { type Env, storesFrom } from "./stores.ts";

/** The comma-separated entries of `value`, or `undefined` when it has none. */
function entries(value: string | undefined): string[] | undefined {
  const items = value?.split(",").flatMap((item) => item.trim() || []);
  return items?.length ? items : undefined;
}

/**
 * OAuth, on when `OAUTH_ISSUER` is set. The resource (the tokens' audience) is `MCP_RESOURCE`, or
 * on Vercel the `/mcp` endpoint of the production domain (`VERCEL_PROJECT_PRODUCTION_URL`) in
 * production and of the branch URL (`VERCEL_BRANCH_URL`) in previews. Anywhere else (vercel dev)
 * `MCP_RESOURCE` is required; `pnpm start` sets it to its own address.
 */
export function oauthConfigFrom(env: Env): OAuthConfig | undefined {
  const issuer = env.OAUTH_ISSUER;
  if (!issuer) return undefined;
  const host =
    env.VERCEL_ENV === "production"
      ? env.VERCEL_PROJECT_PRODUCTION_URL
      : env.VERCEL_ENV === "preview"
        ? env.VERCEL_BRANCH_URL
        : undefined;
  const resource = env.MCP_RESOURCE || (host ? `https://${host}/mcp` : undefined);
  if (!resource) {
    throw new Error("OAUTH_ISSUER is set but MCP_RESOURCE is not: set it to the MCP endpoint's URL");
  }
  return { issuer, resource, ...(env.OAUTH_JWKS_URL ? { jwksUrl: env.OAUTH_JWKS_URL } : {}) };
}

export function createApp(env: Env): McpHandler {
  // VERCEL_ENV is "production" or "preview" on Vercel: there, every instance needs the same key.
  if (!env.REQUEST_STATE_SECRET && (env.VERCEL_ENV === "production" || env.VERCEL_ENV === "preview")) {
    throw new Error("REQUEST_STATE_SECRET is not set: add it in the project's environment variables");
  }
  const configured = storesFrom(env);
  // vercel dev runs a fresh process per request: with no stores configured, the dev daemon's
  // memory stores and secret are shared by all of them. Anywhere else (Vercel) this is undefined.
  const dev = configured === undefined ? vercelDevDefaults({ env }) : undefined;
  const ops = observe({ service: "portico-quickstart", level: parseLevel(env.LOG_LEVEL) });
  const stores = configured ?? dev?.stores;
  const server = createQuickstartServer();
  server.use(ops); // first: it sees every request and every other middleware
  const oauth = oauthConfigFrom(env);
  const auth = oauth === undefined ? undefined : addOAuth(server, oauth);
  const secret = env.REQUEST_STATE_SECRET || dev?.secret;
  const mcp = createHandler(server, {
    ...(secret ? { secret } : {}),
    ...(stores ? { stores: ops.stores(stores) } : {}),
    ...(auth ? { auth } : {}),
    onError: ops.onError,
    // None needed on Vercel: deployed, the adapter passes the Host Vercel routed by (the
    // deployment's *.vercel.app URLs, the project's domains) to the core. ALLOWED_HOSTS is for
    // names served elsewhere; under vercel dev only localhost names pass (DNS-rebinding protection).
    allowedHosts: entries(env.ALLOWED_HOSTS) ?? [],
    allowedOrigins: entries(env.ALLOWED_ORIGINS) ?? [],
  });
  if (auth !== undefined) return mcp; // it serves the metadata that vercel.json rewrites to it
  return {
    // Reads only the URL and passes requests on, as the handler does.
    acceptsBufferedRequests: true,
    fetch(request, ...rest) {
      if (new URL(request.url).pathname.startsWith(METADATA_PATH)) {
        return Promise.resolve(Response.json({ error: "Not found: OAuth is off" }, { status: 404 }));
      }
      return mcp.fetch(request, ...rest);
    },
    close: () => mcp.close(),
    runTask: (job, env, ctx) => mcp.runTask(job, env, ctx),
  };
}
