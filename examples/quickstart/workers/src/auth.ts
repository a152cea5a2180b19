/**
 * The authenticated variant, on when `OAUTH_ISSUER` is set (see index.ts): the MCP server becomes
 * an OAuth 2.1 resource server (`oauthResourceServer` of @portico/auth: Protected Resource
 * Metadata, `WWW-Authenticate: Bearer` challenges, JWT access tokens verified against the issuer's
 * keys and bound to this server's URL) and gains one tool, `whoami`, that needs a scope.
 */
import { oauthResourceServer } from "@portico/auth";
import { addTool, type HandlerOptions, type McpServer } from "@portico/core";

/** The scope `whoami` needs: callers without it do not see the tool, and calling it gets a 403 step-up. */
export const WHOAMI_SCOPE = "quickstart:whoami";

/** Where the Protected Resource Metadata is served (RFC 9728): this path, and it followed by `/mcp`. */
export const METADATA_PATH = "/.well-known/oauth-protected-resource";

export interface OAuthConfig {
  /** `OAUTH_ISSUER`: the authorization server, exactly as its tokens' `iss` claim spells it. */
  issuer: string;
  /** `MCP_RESOURCE`: the MCP endpoint's canonical URL, the audience its tokens must carry. */
  resource: string;
  /** `OAUTH_JWKS_URL`: the issuer's key set. Default: found through the issuer's metadata. */
  jwksUrl?: string;
}

/** Adds `whoami` to `server` and returns the authenticator for `createHandler(server, { auth })`. */
export function addOAuth(server: McpServer, config: OAuthConfig): NonNullable<HandlerOptions["auth"]> {
  addTool(
    server,
    "whoami",
    { description: "Who the caller is, from the verified access token", scopes: [WHOAMI_SCOPE] },
    (_args, ctx) => JSON.stringify({ subject: ctx.auth?.subject, scopes: ctx.auth?.scopes }),
  );
  return oauthResourceServer({
    resource: config.resource,
    issuer: config.issuer,
    scopesSupported: [WHOAMI_SCOPE],
    ...(config.jwksUrl === undefined ? {} : { jwksUrl: config.jwksUrl }),
  });
}

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
