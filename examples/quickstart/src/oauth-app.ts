/**
 * The quickstart tools behind OAuth: the server is an OAuth 2.1 resource server (RFC 9728
 * metadata, Bearer challenges, audience-bound JWTs from your authorization server), and one extra
 * tool, `whoami` (src/auth.ts, shared by every quickstart), needs the `quickstart:whoami` scope. Configured from the environment:
 *
 * - `OAUTH_ISSUER` (required): your authorization server, e.g. `https://cognito-idp.<region>.amazonaws.com/<pool>`
 *   or `https://<tenant>.auth0.com/`; its key set is found through its metadata (or `OAUTH_JWKS_URL`).
 * - `MCP_RESOURCE`: this server's canonical URL, the tokens' audience (default `http://127.0.0.1:<PORT>/mcp`).
 */
import { createHandler, type FetchHandler } from "@portico/core";
import { addOAuth, METADATA_PATH, type OAuthConfig } from "./auth.ts";
import { createQuickstartServer } from "./tools.ts";

export type OAuthAppConfig = OAuthConfig;

export function oauthConfigFromEnv(env: Record<string, string | undefined>, port: number): OAuthAppConfig {
  const issuer = env.OAUTH_ISSUER;
  if (issuer === undefined || issuer === "") {
    throw new Error("Set OAUTH_ISSUER to your authorization server's issuer URL (see src/oauth-app.ts)");
  }
  const config: OAuthAppConfig = { issuer, resource: env.MCP_RESOURCE ?? `http://127.0.0.1:${port}/mcp` };
  if (env.OAUTH_JWKS_URL) config.jwksUrl = env.OAUTH_JWKS_URL;
  return config;
}

/** The app: `/mcp` and its Protected Resource Metadata; 404 elsewhere. */
export function createOAuthApp(config: OAuthAppConfig): FetchHandler {
  const server = createQuickstartServer();
  const mcp = createHandler(server, { auth: addOAuth(server, config) });
  return {
    fetch(request, env, ctx) {
      const { pathname } = new URL(request.url);
      if (pathname === "/mcp" || pathname.startsWith(METADATA_PATH)) return mcp.fetch(request, env, ctx);
      return Response.json({ error: "Not found: the MCP endpoint is /mcp" }, { status: 404 });
    },
  };
}
