/**
 * The authenticated variant of every quickstart (Node, Lambda, Vercel, Workers), on when
 * `OAUTH_ISSUER` is set in the deployment's configuration: the MCP server becomes
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
  /** A key set given in code instead (tests). */
  jwks?: { keys: Record<string, unknown>[] };
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
    ...(config.jwks === undefined ? {} : { jwks: config.jwks as never }),
  });
}
