/** The Worker's OAuth settings, from its vars; the variant itself is the quickstart's shared one. */
import type { OAuthConfig } from "@portico/example-quickstart/auth";

/** The Worker's OAuth vars (wrangler.jsonc `vars`, `.dev.vars`, or `wrangler deploy --var`). */
export interface OAuthVars {
  OAUTH_ISSUER?: string;
  MCP_RESOURCE?: string;
  OAUTH_JWKS_URL?: string;
}

/**
 * OAuth, on when `OAUTH_ISSUER` is set (empty, as wrangler.jsonc has it, is off). `MCP_RESOURCE` is
 * then required: a Worker cannot tell its own URL from its bindings.
 */
export function oauthConfigFrom(vars: OAuthVars): OAuthConfig | undefined {
  if (!vars.OAUTH_ISSUER) return undefined;
  if (!vars.MCP_RESOURCE) {
    throw new Error(
      "OAUTH_ISSUER is set but MCP_RESOURCE is not: set it to the MCP endpoint's URL, e.g. https://portico-quickstart.<account>.workers.dev/mcp",
    );
  }
  const config: OAuthConfig = { issuer: vars.OAUTH_ISSUER, resource: vars.MCP_RESOURCE };
  if (vars.OAUTH_JWKS_URL) config.jwksUrl = vars.OAUTH_JWKS_URL;
  return config;
}
